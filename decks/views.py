"""Anki in and out, for learners and visitors: the export (a page to choose the cards, and the
package itself), an imported deck's images, and bringing reviews done in Anki back. The deck
import is the admin's (decks/admin.py)."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_safe

from decks.forms import AnkiReviewsForm, DeckExportForm
from decks.models import DeckImage, extension_of
from decks.package import build_package
from decks.reading import PackageError, open_package, problem_in
from decks.reviews import MAX_REPLAYED_REVIEWS, StudiedMeanwhile, anki_reviews_import
from decks.selectors import EXPORT_MAX_PROMPTS, deck_export_for, export_scopes
from flashcards.selectors import Scope

_UNSAFE_IN_FILENAME = re.compile(r"[^-a-zA-Z0-9_]+")
_IMAGE_NAME = re.compile(r"([0-9a-f]{64})\.(png|jpg|gif|webp)")


@require_safe
def export_page(request: HttpRequest) -> HttpResponse:
    """A GET form that submits to the download; `?scope=` (a lesson's link) picks its scope."""
    return _export_page(request, Scope.parse(request.GET.get("scope")).base)


def _export_page(request: HttpRequest, scope: Scope, *, too_large: bool = False) -> HttpResponse:
    form = DeckExportForm(
        initial={"scope": str(scope)},
        scopes=export_scopes(request.user),
        signed_in=request.user.is_authenticated,
    )
    context = {"form": form, "too_large": too_large, "limit": EXPORT_MAX_PROMPTS}
    return render(request, "decks/export.html", context)


@require_safe
def export_download(request: HttpRequest) -> HttpResponse:
    """The `.apkg` for `?scope=` (the study session's scopes, plus topics), with the reader's
    schedule when signed in and `schedule` is ticked. A scope with nothing the reader may study
    in it (another learner's private lesson among them) is a 404."""
    scope = Scope.parse(request.GET.get("scope")).base
    signed_in = request.user.is_authenticated
    with_schedule = signed_in and request.GET.get("schedule") in ("on", "1", "true")
    export = deck_export_for(
        user=request.user,
        scope=scope,
        base_url=request.build_absolute_uri("/"),
        with_schedule=with_schedule,
        limit=EXPORT_MAX_PROMPTS,
    )
    if export.too_large:
        # The page again, saying why: a download link has nowhere else to say it.
        return _export_page(request, scope, too_large=True)
    if not export.notes:
        raise Http404("No cards you may study in this scope.")
    now = timezone.now()
    name = _UNSAFE_IN_FILENAME.sub("-", str(scope)).strip("-")
    filename = f"study-portal-{name}{'-scheduled' if with_schedule else ''}-{now:%Y-%m-%d}.apkg"
    response = HttpResponse(
        build_package(export.notes, now=now, media=export.media),
        content_type="application/octet-stream",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )
    if signed_in:
        # A learner's private notes or schedule: never kept by a browser or proxy cache (the
        # middleware says so for signed-in pages too; said here so the file never depends on it).
        response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def image(request: HttpRequest, name: str) -> HttpResponse:
    """An imported deck's image, by the hash of its bytes (`<sha256>.<ext>`). Its URL names its
    content, so any cache (a browser, a CDN) may keep it forever; the ETag lets one revalidate
    for nothing."""
    named = _IMAGE_NAME.fullmatch(name)
    if named is None:
        raise Http404("No such image.")
    sha256, extension = named[1], named[2]
    found = DeckImage.objects.filter(sha256=sha256).values_list("content_type", "data").first()
    if found is None or extension_of(found[0]) != extension:
        raise Http404("No such image.")
    etag = f'"{sha256}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
    }
    if etag in request.headers.get("If-None-Match", ""):
        return HttpResponseNotModified(headers=headers)
    return HttpResponse(bytes(found[1]), content_type=found[0], headers=headers)


@login_required
@require_http_methods(["GET", "POST"])
def reviews_import(request: HttpRequest) -> HttpResponse:
    """Bring reviews done in Anki back: the upload form, and (POST) what the upload added.

    The result is the page itself, not a redirect: uploading the same file again (a reload
    that posts it again) adds nothing, each review being added once (decks/reviews.py)."""
    form = AnkiReviewsForm()
    result = None
    errors: list[str] = []
    if request.method == "POST":
        form = AnkiReviewsForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["package"]
            try:
                with open_package(upload.read()) as package:
                    result = anki_reviews_import(user=request.user, package=package)
            except PackageError as error:
                errors = [str(problem) for problem in problem_in(upload.name, error)]
            except StudiedMeanwhile as refused:
                errors = [str(refused)]
    context = {
        "form": form,
        "result": result,
        "errors": errors,
        "max_replayed": f"{MAX_REPLAYED_REVIEWS:,}",
    }
    return render(request, "decks/reviews.html", context)
