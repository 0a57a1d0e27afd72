from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from flashcards.admin import CardInline
from flashcards.card_sync import card_prompts_sync
from flashcards.models import Card
from lessons.models import Lesson, Topic
from lessons.preview import lesson_preview
from notes.forms import NoteUploadForm
from notes.services import NotesImportError, notes_import
from portal.preview import LivePreviewAdmin, Preview

IMPORT_PERMISSIONS = (
    "lessons.add_lesson",
    "lessons.change_lesson",
    "lessons.add_topic",
    "trees.add_tree",
    "trees.change_tree",
    "flashcards.add_card",
    "flashcards.change_card",
)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "position", "lesson_count")
    list_editable = ("position",)
    search_fields = ("title", "description")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("position", "title")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lesson_total=Count("lessons"))

    @admin.display(description="Lessons", ordering="lesson_total")
    def lesson_count(self, topic: Topic) -> int:
        return topic.lesson_total


@admin.register(Lesson)
class LessonAdmin(LivePreviewAdmin, admin.ModelAdmin):
    change_list_template = "admin/lessons/lesson/change_list.html"
    list_display = ("title", "topic", "status", "position", "date", "updated_at")
    list_display_links = ("title",)
    list_editable = ("status", "position")
    list_filter = ("status", "topic", "date")
    list_select_related = ("topic",)
    search_fields = ("title", "slug", "summary", "source", "theme", "body")
    date_hierarchy = "date"
    ordering = ("topic__position", "topic__title", "position", "title")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("imported_from", "created_at", "updated_at")
    actions = ("publish", "unpublish")
    inlines = (CardInline,)
    fieldsets = (
        (None, {"fields": ("title", "slug", "topic", "position", "status")}),
        ("About", {"fields": ("summary", "source", "theme", "date")}),
        ("Content", {"fields": ("body",)}),
        ("History", {"fields": ("imported_from", "created_at", "updated_at")}),
    )

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is Card:
            # Cards edited inline need their prompts regenerated, as on the card's own page.
            saved = [*formset.new_objects, *(card for card, _fields in formset.changed_objects)]
            for card in saved:
                card_prompts_sync(card)

    # The live preview (portal/preview.py) sits beside the body.
    preview_fieldset = "Content"

    def preview_from_data(self, request, data) -> Preview:
        return _lesson_preview_shown(lesson_preview(data=data, user=request.user))

    def preview_from_object(self, request, obj: Lesson) -> Preview:
        saved = {field: str(getattr(obj, field) or "") for field in PREVIEWED}
        return self.preview_from_data(request, saved)

    @admin.action(description="Publish the selected lessons", permissions=["change"])
    def publish(self, request, queryset) -> None:
        count = queryset.update(status=Lesson.Status.PUBLISHED)
        self.message_user(request, f"Published {count} lesson(s).", messages.SUCCESS)

    @admin.action(description="Return the selected lessons to draft", permissions=["change"])
    def unpublish(self, request, queryset) -> None:
        count = queryset.update(status=Lesson.Status.DRAFT)
        self.message_user(request, f"Moved {count} lesson(s) back to draft.", messages.SUCCESS)

    def get_urls(self):
        upload = path(
            "import/",
            self.admin_site.admin_view(self.import_notes_view),
            name="lessons_lesson_import",
        )
        return [upload, *super().get_urls()]  # the preview's URL comes from LivePreviewAdmin

    def import_notes_view(self, request):
        """Upload notes through the same service as `manage.py import_notes`.

        Notes can hold decision trees, so this needs the right to write trees as well as lessons.
        """
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        form = NoteUploadForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            try:
                result = notes_import(
                    files=form.note_files(),
                    dry_run=dry_run,
                    default_topic=form.cleaned_data["topic"],
                    status=form.cleaned_data["status"] or None,
                    take_over_trees=form.cleaned_data["take_over_trees"],
                )
            except NotesImportError as failure:
                for line in failure.lines():
                    form.add_error("notes", line)
                form.add_error(None, "Nothing was imported.")
            else:
                if not dry_run:
                    for change in result.changes:
                        self.message_user(request, change.describe(dry_run=False), messages.SUCCESS)
                    for warning in result.warnings:
                        self.message_user(request, warning, messages.WARNING)
                    return redirect("admin:lessons_lesson_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import notes",
            "form": form,
            "dry_run_lines": [c.describe(dry_run=True) for c in result.changes] if result else [],
            "warnings": result.warnings if result else [],
        }
        # A refused upload says so in its status too (400), for scripts posting notes.
        return TemplateResponse(
            request,
            "admin/lessons/lesson/import_notes.html",
            context,
            status=400 if form.errors else 200,
        )


# The lesson's fields the preview draws, as the form posts them.
PREVIEWED = ("title", "slug", "summary", "source", "theme", "date", "body")


def _lesson_preview_shown(preview) -> Preview:
    return Preview(
        title=f"Preview of the lesson “{preview.lesson.title}” as learners see it",
        document_template="lessons/lesson_preview.html",
        context=preview.context(),
        problems=preview.problems,
    )
