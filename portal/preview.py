"""The admin's live preview: what learners will see, drawn by the site's own templates.

The admin pages load the admin's stylesheet, whose headings are blue bars; learners' pages load
static/css/site.css. So the preview is a document of its own, rendered by the site's templates
and linking the site's stylesheet, shown in an `<iframe srcdoc>`. A srcdoc document inherits the
admin page's Content-Security-Policy, so it runs no script and loads the stylesheet only from
'self'. Its sandbox allows no scripts; `allow-same-origin` lets it be the admin's origin, which
is what `style-src 'self'` matches.

Every preview view answers a POST of the form as typed and never writes: it renders through the
same functions as saving (Markdown, sanitizer, tree compiler, card checks) and keeps the result.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from portal.problems import Problem

PANE_TEMPLATE = "admin/includes/live_preview.html"


def preview_response(
    request: HttpRequest,
    *,
    document_template: str,
    context: dict,
    problems: Sequence[Problem],
    title: str,
    client_data: object = None,
) -> HttpResponse:
    """The pane's content for htmx: the problems, then the document (when there is one to show;
    `context` is None when nothing can be drawn, as for a body nested too deep to render).

    `client_data`, when not None, goes along as JSON in a hidden element (#live-preview-data)
    for the edit page's own scripts, so that what they need from the form as typed comes with
    the preview instead of a request of their own."""
    pane = _pane_context(request, document_template, context, problems, title, live=True)
    if client_data is not None:
        pane["client_data"] = json.dumps(client_data)
    return render(request, f"{PANE_TEMPLATE}#live-preview-result", pane)


def preview_pane(
    request: HttpRequest | None,
    *,
    url: str,
    document_template: str,
    context: dict | None,
    problems: Sequence[Problem],
    title: str,
    status: str = "",
    refresh_on_load: bool = True,
) -> SafeString:
    """The pane as the edit page first draws it: the object as last saved (the preview without
    JavaScript), with the htmx attributes that replace it as the instructor types.

    `status` replaces the line above the document ("As of the last save…"). The pane asks for
    the form as typed when the page loads (a browser may restore typed fields), unless
    `refresh_on_load` is False: a page of many panes drawn from what they show (the review of a
    lesson's suggestions) would send one request per pane for nothing."""
    pane = _pane_context(request, document_template, context, problems, title, live=False)
    pane |= {"url": url, "status": status, "refresh_on_load": refresh_on_load}
    return render_to_string(f"{PANE_TEMPLATE}#live-preview", pane, request=request)


def _pane_context(request, document_template, context, problems, title, *, live) -> dict:
    document = None
    if context is not None:
        document = render_to_string(document_template, {**context, "title": title}, request)
    return {"document": document, "problems": problems, "title": title, "live": live}


class LivePreviewAdmin:
    """A ModelAdmin mixin: the live preview beside the fieldset `preview_fieldset` names, and
    the URL htmx posts the form to as the instructor types (`<model>/preview/`).

    A subclass says how to preview through `preview_from_data(request, data, obj)` (the form as
    typed; `obj` is the saved object an edit page previews, None on an add page) and
    `preview_from_object(request, obj)` (as last saved), each returning a `Preview`.
    """

    change_form_template = "admin/change_form_with_preview.html"
    preview_fieldset: str | None = None  # the unnamed first fieldset by default

    def preview_from_data(self, request, data, obj=None) -> Preview:
        raise NotImplementedError

    def preview_from_object(self, request, obj) -> Preview:
        raise NotImplementedError

    def preview_url_name(self) -> str:
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_preview"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and request.method != "POST":
            shown = self.preview_from_object(request, obj)
        else:
            # A new object, or a refused save: `obj` then holds the submitted fields, not the
            # saved ones, and the POST's transaction is open (rendering would hold SQLite's
            # write lock). htmx draws the form as typed when the page loads.
            new = "" if obj is not None and obj.pk else "new "
            shown = Preview(title=f"Preview of the {new}{self.model._meta.verbose_name}")
        url = reverse(f"{self.admin_site.name}:{self.preview_url_name()}")
        if obj is not None and obj.pk:
            # An edit page's preview names its object: inline rows already saved are bound to it.
            url += "?" + urlencode({"object_id": obj.pk})
        context["live_preview"] = preview_pane(
            request,
            url=url,
            document_template=shown.document_template,
            context=shown.context,
            problems=shown.problems,
            title=shown.title,
        )
        context["preview_fieldset"] = self.preview_fieldset
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        preview = path(
            "preview/",
            self.admin_site.admin_view(require_POST(self.preview_view)),
            name=self.preview_url_name(),
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The pane's content for the form as typed; only for those who may add or change (the
        object named by `?object_id=`, when there is one)."""
        obj = None
        if object_id := request.GET.get("object_id"):
            obj = self.get_object(request, object_id)
            if obj is None:
                raise Http404
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
        elif not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        shown = self.preview_from_data(request, request.POST, obj)
        return preview_response(
            request,
            document_template=shown.document_template,
            context=shown.context,
            problems=shown.problems,
            title=shown.title,
            client_data=shown.client_data,
        )


@dataclass
class Preview:
    """What a preview shows: a document (None when nothing can be drawn) and the problems."""

    title: str
    document_template: str = ""
    context: dict | None = None
    problems: Sequence[Problem] = ()
    client_data: object = None  # JSON-able, for the edit page's scripts (preview_response)
