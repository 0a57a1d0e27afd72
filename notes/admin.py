"""Suggested cards in the admin: the review of a lesson's (/admin/lessons/lesson/<id>/suggestions/)
and every lesson's in one list (SuggestionAdmin, /admin/notes/suggestion/).

LessonAdmin registers the page and hands it the lesson, taken through its own queryset, so
whatever the lesson admin hides (another learner's private lessons) is a 404 here too. Every
decision goes through notes/suggestions.py: this module reads the request, calls the service and
says what happened.

One view, one template. A plain POST chooses its action by the submit button's name (`accept`,
`accept_edited`, `reject`, `reopen` with the suggestion's id as value; `accept_selected`,
`reject_selected`, `accept_all`, `reject_all`) and redirects back with a message, or shows the
page again with the errors at the suggestion and nothing saved. With htmx, a suggestion's own
buttons replace its row in place (the `suggestion` partial) and the counts above the list
(`suggestion-counts`, out of band).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django_htmx.http import HttpResponseClientRedirect

from flashcards.preview import card_preview
from lessons.models import Lesson, managed_topics
from notes.forms import SuggestionEditForm
from notes.models import Suggestion
from notes.suggestions import (
    SuggestionsDecidedMeanwhile,
    SuggestionsInvalid,
    suggestions_accept,
    suggestions_reject,
    suggestions_reopen,
)
from portal.htmx import HtmxHttpRequest
from portal.preview import preview_pane

TEMPLATE = "admin/lessons/lesson/suggestions.html"
# Deciding on suggestions writes cards: the lesson's and the card's rights, and the suggestion's.
REVIEW_PERMISSIONS = ("lessons.change_lesson", "flashcards.add_card", "notes.change_suggestion")
ROW_ACTIONS = ("accept", "accept_edited", "reject", "reopen")
BULK_ACTIONS = ("accept_selected", "reject_selected", "accept_all", "reject_all")
DECIDED_MEANWHILE = (
    "Nothing was saved: a suggestion was decided meanwhile (in another tab, by someone else, or "
    "by importing the note again). The page now shows where each one stands."
)


def may_review(user) -> bool:
    return user.has_perms(REVIEW_PERMISSIONS)


def suggestions_url(lesson: Lesson) -> str:
    return reverse("admin:lessons_lesson_suggestions", args=[lesson.pk])


@dataclass
class Row:
    """One suggestion as the page shows it, with what the last action said about it."""

    suggestion: Suggestion
    form: SuggestionEditForm | None = None  # pending ones only
    preview: SafeString | None = None
    section_name: str = ""
    section_url: str = ""
    errors: list[str] = field(default_factory=list)
    notice: str = ""  # what an htmx action did to it, said in its place
    editing: bool = False  # the edit fields open (an edit that was refused)

    @property
    def card_url(self) -> str:
        card_id = self.suggestion.card_id
        return reverse("admin:flashcards_card_change", args=[card_id]) if card_id else ""


def suggestions_review(request: HtmxHttpRequest, *, lesson: Lesson, admin_context: dict):
    """The review page of `lesson`'s suggestions, and every decision on them."""
    if not may_review(request.user):
        raise PermissionDenied
    if request.method == "POST":
        action = next((name for name in (*ROW_ACTIONS, *BULK_ACTIONS) if name in request.POST), "")
        if action in ROW_ACTIONS:
            return _row_action(request, lesson=lesson, action=action, admin_context=admin_context)
        if action in BULK_ACTIONS:
            return _bulk_action(request, lesson=lesson, action=action, admin_context=admin_context)
        messages.error(request, "Choose what to do with the suggestions: no button was named.")
    return _page(request, lesson=lesson, admin_context=admin_context)


def _is_id(value: str) -> bool:
    # ASCII digits only: str.isdigit() takes "²", which int() refuses.
    return value.isascii() and value.isdigit() and len(value) < 19


def _row_action(request: HtmxHttpRequest, *, lesson: Lesson, action: str, admin_context: dict):
    value = request.POST.get(action, "")
    suggestion = (
        Suggestion.objects.filter(lesson=lesson, pk=int(value)).first() if _is_id(value) else None
    )
    if suggestion is None:
        # Withdrawn by a re-import of the note (its sentence changed), or never this lesson's.
        messages.error(request, "That suggestion is no longer there; nothing was saved.")
        return _done(request, lesson)
    errors: list[str] = []
    form = None
    notice = ""
    try:
        if action == "accept":
            suggestions_accept(lesson=lesson, suggestions=[suggestion], user=request.user)
            notice = "Accepted as a card."
        elif action == "accept_edited":
            form = SuggestionEditForm(request.POST, lesson=lesson, suggestion=suggestion)
            if form.is_valid():
                suggestions_accept(
                    lesson=lesson,
                    suggestions=[suggestion],
                    edits={suggestion.pk: form.spec()},
                    user=request.user,
                )
                notice = "Accepted as edited, as a card."
                form = None
            else:
                errors = _form_errors(form)
        elif action == "reject":
            if not suggestions_reject(lesson=lesson, suggestions=[suggestion], user=request.user):
                raise SuggestionsDecidedMeanwhile
            notice = "Rejected: it is not proposed again while its sentence stays as it is."
        else:  # reopen
            if not suggestions_reopen(lesson=lesson, suggestions=[suggestion]):
                raise SuggestionsDecidedMeanwhile
            notice = "Reopened: it waits for a decision again."
    except SuggestionsInvalid as invalid:
        errors = [problem.message for problem in invalid.by_suggestion.get(suggestion.pk, [])]
        errors = errors or invalid.lines()
    except SuggestionsDecidedMeanwhile:
        errors = [DECIDED_MEANWHILE]
        form = None
    if request.htmx:
        suggestion.refresh_from_db()
        row = _row(request, lesson, suggestion, form=form)
        row.errors, row.notice, row.editing = errors, notice, form is not None
        return _row_response(request, lesson=lesson, row=row)
    if errors:
        messages.error(request, f"Nothing was saved. {' '.join(errors)}")
        suggestion.refresh_from_db()
        return _page(
            request,
            lesson=lesson,
            admin_context=admin_context,
            bound={suggestion.pk: form} if form is not None else {},
            errors={suggestion.pk: errors},
        )
    messages.success(request, _said(action, 1))
    return _done(request, lesson)


def _bulk_action(request, *, lesson: Lesson, action: str, admin_context: dict):
    pending = Suggestion.objects.filter(lesson=lesson).pending()
    if action.endswith("_selected"):
        chosen_ids = {int(value) for value in request.POST.getlist("selected") if _is_id(value)}
        if not chosen_ids:
            messages.warning(request, "Select the suggestions first: none was selected.")
            return _done(request, lesson)
        chosen = list(pending.filter(pk__in=chosen_ids))
        if len(chosen) != len(chosen_ids):
            messages.error(request, DECIDED_MEANWHILE)
            return _done(request, lesson)
    else:
        chosen = list(pending)
        if not chosen:
            messages.warning(request, "No suggestion waits for a decision.")
            return _done(request, lesson)
    if action.startswith("accept"):
        try:
            suggestions_accept(lesson=lesson, suggestions=chosen, user=request.user)
        except SuggestionsInvalid as invalid:
            count = len(invalid.by_suggestion)
            messages.error(
                request,
                f"Nothing was accepted: {count} suggestion{'s' if count != 1 else ''} cannot "
                "be a card as it stands (shown at each). Edit and accept, or reject, "
                f"{'them' if count != 1 else 'it'} first.",
            )
            errors = {
                pk: [problem.message for problem in found]
                for pk, found in invalid.by_suggestion.items()
            }
            return _page(request, lesson=lesson, admin_context=admin_context, errors=errors)
        except SuggestionsDecidedMeanwhile:
            messages.error(request, DECIDED_MEANWHILE)
            return _done(request, lesson)
        messages.success(request, _said("accept", len(chosen)))
    else:
        rejected = suggestions_reject(lesson=lesson, suggestions=chosen, user=request.user)
        messages.success(request, _said("reject", rejected))
    return _done(request, lesson)


def _form_errors(form: SuggestionEditForm) -> list[str]:
    """A refused edit's errors, each naming its field, to say them at the top of the
    suggestion as well as at the fields."""
    return [
        f"{form.fields[name].label or name.capitalize()}: {message}"
        if name in form.fields
        else message
        for name, found in form.errors.items()
        for message in found
    ]


def _said(action: str, count: int) -> str:
    many = count != 1
    if action.startswith("accept"):
        cards = "cards" if many else "a card"
        return f"Accepted {count} suggestion{'s' if many else ''} as {cards}."
    verb = {"reject": "Rejected", "reopen": "Reopened"}[action.split("_")[0]]
    return f"{verb} {count} suggestion{'s' if many else ''}."


def _done(request: HtmxHttpRequest, lesson: Lesson) -> HttpResponse:
    """Back to the page, by GET (post/redirect/get); htmx is told to load it whole, as there
    is no row to put in place."""
    if request.htmx:
        return HttpResponseClientRedirect(suggestions_url(lesson))
    return redirect(suggestions_url(lesson))


def _page(request, *, lesson: Lesson, admin_context: dict, bound=None, errors=None):
    bound = bound or {}
    errors = errors or {}
    suggestions = list(
        Suggestion.objects.filter(lesson=lesson)
        .select_related("decided_by")
        .order_by("position", "pk")
    )
    rows = []
    sections = lesson.sections()  # once for the page, not once for each suggestion
    for suggestion in suggestions:
        row = _row(request, lesson, suggestion, form=bound.get(suggestion.pk), sections=sections)
        row.errors = errors.get(suggestion.pk, [])
        row.editing = suggestion.pk in bound
        rows.append(row)
    by_status = {status: [] for status in Suggestion.Status.values}
    for row in rows:
        by_status[row.suggestion.status].append(row)
    context = {
        **admin_context,
        "title": f"Suggested cards for “{lesson.title}”",
        "lesson": lesson,
        "opts": Lesson._meta,
        "page_url": suggestions_url(lesson),
        "pending": by_status[Suggestion.Status.PENDING],
        "accepted": by_status[Suggestion.Status.ACCEPTED],
        "rejected": by_status[Suggestion.Status.REJECTED],
        "counts": _counts(suggestions),
    }
    response = render(request, TEMPLATE, context)
    response["Vary"] = "HX-Request"
    return response


def _row_response(request, *, lesson: Lesson, row: Row) -> HttpResponse:
    suggestions = Suggestion.objects.filter(lesson=lesson).values_list("status", flat=True)
    context = {
        "lesson": lesson,
        "page_url": suggestions_url(lesson),
        "row": row,
        "counts": _counts_of(list(suggestions)),
    }
    html = render_to_string(f"{TEMPLATE}#suggestion", context, request=request)
    html += render_to_string(f"{TEMPLATE}#suggestion-counts", {**context, "oob": True}, request)
    response = HttpResponse(html)
    response["Vary"] = "HX-Request"
    return response


def _counts(suggestions: list[Suggestion]) -> dict[str, int]:
    return _counts_of([suggestion.status for suggestion in suggestions])


def _counts_of(statuses: list[str]) -> dict[str, int]:
    return {status: statuses.count(status) for status in Suggestion.Status.values}


def _row(request, lesson: Lesson, suggestion: Suggestion, *, form=None, sections=None) -> Row:
    sections = sections if sections is not None else lesson.sections()
    anchor = suggestion.section
    row = Row(
        suggestion=suggestion,
        section_name=sections.get(anchor, ""),
        section_url=f"{lesson.get_absolute_url()}#{anchor}" if anchor in sections else "",
    )
    if suggestion.status != Suggestion.Status.PENDING:
        return row
    row.form = form or SuggestionEditForm(lesson=lesson, suggestion=suggestion, sections=sections)
    typed = form is not None
    data = (
        {name: form.data.get(name, "") for name in ("kind", "front", "back", "exam")}
        if typed
        else {
            "kind": suggestion.kind,
            "front": suggestion.front,
            "back": suggestion.back,
            "exam": suggestion.exam,
        }
    )
    shown = card_preview(data=data, lesson=lesson)
    row.preview = preview_pane(
        request,
        url=reverse("admin:flashcards_card_preview"),
        document_template="flashcards/card_preview.html",
        context=shown.context(),
        problems=shown.problems,
        title=f"Preview of suggestion {suggestion.position + 1} as learners study it",
        status="As you typed it (not saved)." if typed else "The card as suggested.",
        refresh_on_load=False,
    )
    return row


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    """Every lesson's suggestions in one list, to find and decide on them across lessons. They
    are the importer's: read-only here, decided through the same services as the review page."""

    list_display = ("short_front", "lesson_review", "rule_name", "kind", "status", "line")
    list_filter = ("status", "rule", "kind", ("lesson", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("lesson",)
    search_fields = ("front", "back", "source")
    ordering = ("lesson__title", "position", "pk")
    actions = ("accept", "reject")
    readonly_fields = (
        "lesson",
        "status",
        "rule",
        "kind",
        "front",
        "back",
        "section",
        "exam",
        "source",
        "line",
        "card",
        "decided_at",
        "decided_by",
        "created_at",
    )
    exclude = ("key", "position")

    def get_queryset(self, request):
        # Not a learner's private lessons' (their own notes, issue 21) but for a superuser, as
        # the lesson and card admins decide it.
        return super().get_queryset(request).filter(managed_topics(request.user, "lesson__topic__"))

    def has_add_permission(self, request) -> bool:
        return False  # made by importing a note with suggestions on

    def has_review_permission(self, request) -> bool:
        return may_review(request.user)

    @admin.display(description="Front", ordering="front")
    def short_front(self, suggestion: Suggestion) -> str:
        front = suggestion.front
        return front if len(front) <= 70 else front[:69] + "…"

    @admin.display(description="Lesson", ordering="lesson__title")
    def lesson_review(self, suggestion: Suggestion) -> str:
        return format_html(
            '<a href="{}">{}</a>', suggestions_url(suggestion.lesson), suggestion.lesson.title
        )

    @admin.display(description="Rule", ordering="rule")
    def rule_name(self, suggestion: Suggestion) -> str:
        return suggestion.rule_name

    @admin.action(description="Accept the selected suggestions as cards", permissions=["review"])
    def accept(self, request, queryset) -> None:
        chosen, skipped = _pending_by_lesson(queryset)
        try:
            # All or nothing across lessons: each lesson's accept is its own transaction inside.
            with transaction.atomic():
                for lesson, suggestions in chosen:
                    suggestions_accept(lesson=lesson, suggestions=suggestions, user=request.user)
        except SuggestionsInvalid as invalid:
            self.message_user(
                request,
                f"Nothing was accepted: {len(invalid.by_suggestion)} suggestion(s) cannot be a "
                "card as it stands; their lessons' review pages show why.",
                messages.ERROR,
            )
            return
        except SuggestionsDecidedMeanwhile:
            self.message_user(request, DECIDED_MEANWHILE, messages.ERROR)
            return
        count = sum(len(suggestions) for _, suggestions in chosen)
        self.message_user(request, _said("accept", count), messages.SUCCESS)
        _say_skipped(self, request, skipped)

    @admin.action(description="Reject the selected suggestions", permissions=["review"])
    def reject(self, request, queryset) -> None:
        chosen, skipped = _pending_by_lesson(queryset)
        count = 0
        with transaction.atomic():
            for lesson, suggestions in chosen:
                count += suggestions_reject(
                    lesson=lesson, suggestions=suggestions, user=request.user
                )
        self.message_user(request, _said("reject", count), messages.SUCCESS)
        _say_skipped(self, request, skipped)


def _pending_by_lesson(queryset) -> tuple[list[tuple[Lesson, list[Suggestion]]], int]:
    """The pending suggestions of `queryset` grouped by lesson, and how many others it held."""
    by_lesson: dict[int, tuple[Lesson, list[Suggestion]]] = {}
    skipped = 0
    for suggestion in queryset.select_related("lesson").order_by("lesson", "position", "pk"):
        if suggestion.status != Suggestion.Status.PENDING:
            skipped += 1
            continue
        by_lesson.setdefault(suggestion.lesson_id, (suggestion.lesson, []))[1].append(suggestion)
    return list(by_lesson.values()), skipped


def _say_skipped(model_admin, request, skipped: int) -> None:
    if skipped:
        model_admin.message_user(
            request,
            f"{skipped} already decided, left as they were (reopen a rejected one on its "
            "lesson's review page).",
            messages.WARNING,
        )
