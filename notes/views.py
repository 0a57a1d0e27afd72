"""A learner's own notes: import them into a private topic, list them, delete one.

Thin: the import is `notes.services.notes_import(owner=...)` (all or nothing, planned before
it takes the write lock), the list and the delete are notes/private.py's.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from lessons.models import Lesson
from notes.forms import OwnNotesForm
from notes.private import private_lesson_delete, private_note_of, private_notes_of
from notes.services import MAX_PRIVATE_LESSONS, NotesImportError, notes_import
from portal.htmx import HtmxHttpRequest

TEMPLATE = "notes/my_notes.html"


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def my_notes(request: HtmxHttpRequest) -> HttpResponse:
    """The learner's notes, and the form that imports more. A refused upload lists every
    problem by file and line: to htmx as the form's partial with 200 (htmx drops a 4xx
    body), to a plain post as the whole page with 400."""
    form = OwnNotesForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                result = notes_import(
                    files=form.note_files(),
                    owner=request.user,
                    default_topic=form.cleaned_data["topic"],
                    accept_suggestions=True,
                )
            except NotesImportError as failure:
                for line in failure.lines():
                    form.add_error("notes", line)
                form.add_error(None, "Nothing was imported.")
            else:
                # Not errors, but the learner should know (a private note's tags left out).
                for warning in result.warnings:
                    messages.warning(request, warning)
                slugs = [change.slug for change in result.changes if change.kind == "lesson"]
                url = f"{reverse('notes:mine')}?{urlencode({'imported': slugs}, doseq=True)}"
                if request.htmx:
                    return HttpResponseClientRedirect(url)
                return redirect(url)
        if request.htmx and not request.htmx.history_restore_request:
            return render(request, f"{TEMPLATE}#note-import", {"form": form})
        return render(request, TEMPLATE, _context(request, form), status=400)
    return render(request, TEMPLATE, _context(request, form))


def _context(request: HtmxHttpRequest, form: OwnNotesForm) -> dict:
    notes = private_notes_of(request.user)
    wanted = set(request.GET.getlist("imported"))
    return {
        "form": form,
        "notes": notes,
        # Only the learner's own lessons: a slug in the address names nothing of anyone else's.
        "imported": [note for note in notes if note.slug in wanted],
        "max_notes": MAX_PRIVATE_LESSONS,
    }


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Ask, then (POST) delete the learner's own note with its cards and their history; a 404
    for anything not theirs, as for a lesson that does not exist."""
    if request.method == "POST":
        try:
            title = private_lesson_delete(owner=request.user, slug=slug)
        except Lesson.DoesNotExist:
            raise Http404("No such note of yours.") from None
        messages.success(request, f"Deleted “{title}”, its cards and their reviews.")
        return redirect("notes:mine")
    note = private_note_of(request.user, slug)
    if note is None:
        raise Http404("No such note of yours.")
    return render(request, "notes/delete.html", {"note": note})
