"""The admin's "Import Anki deck" page, beside "Import notes" on the lessons' list
(/admin/lessons/lesson/import-anki/; LessonAdmin routes it here). It calls the same service as
`manage.py import_apkg` and shows its report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from decks.forms import DeckUploadForm
from decks.importing import DeckImportError
from decks.services import deck_import
from lessons.models import Lesson
from notes.services import summarize

TEMPLATE = "admin/lessons/lesson/import_anki.html"


def anki_import_view(request, *, admin_site, permissions: tuple[str, ...]):
    """Upload packages; a preview shows what would change and the report, an import says it in
    messages on the lessons' list. A refused upload is shown with every problem (status 400),
    nothing saved."""
    if not request.user.has_perms(permissions):
        raise PermissionDenied
    form = DeckUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        dry_run = form.cleaned_data["dry_run"]
        try:
            result = deck_import(
                files=form.deck_files(), dry_run=dry_run, default_topic=form.cleaned_data["topic"]
            )
        except DeckImportError as failure:
            for line in failure.lines():
                form.add_error("packages", line)
            form.add_error(None, "Nothing was imported.")
        else:
            if not dry_run:
                for change in result.changes:
                    messages.success(request, change.describe(dry_run=False))
                for line in result.report.lines():
                    messages.info(request, line)
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect("admin:lessons_lesson_changelist")
    context = {
        **admin_site.each_context(request),
        "opts": Lesson._meta,
        "title": "Import Anki deck",
        "form": form,
        "dry_run_lines": [c.describe(dry_run=True) for c in result.changes] if result else [],
        "summary": summarize(result.changes, dry_run=True).split("\n") if result else [],
        "report_lines": result.report.lines() if result else [],
    }
    return TemplateResponse(request, TEMPLATE, context, status=400 if form.errors else 200)
