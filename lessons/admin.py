from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Count, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from decks.admin import anki_import_view
from flashcards.admin import CardInline, section_choices
from flashcards.card_sync import card_prompts_sync
from flashcards.models import Card
from flashcards.preview import inline_card_previews, saved_card_previews
from lessons.models import Lesson, Topic, managed_topics
from lessons.preview import lesson_preview
from lessons.services import lesson_duplicate, lesson_move
from notes.admin import suggestions_review, suggestions_url
from notes.forms import NoteUploadForm
from notes.models import Suggestion
from notes.services import NotesImportError, notes_import
from portal.markdown import split_embeds
from portal.preview import LivePreviewAdmin, Preview
from trees.selectors import trees_missing

MOVES = {"up": -1, "down": 1}

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
    list_select_related = ("owner",)

    def get_queryset(self, request):
        topics = super().get_queryset(request).filter(managed_topics(request.user))
        return topics.annotate(lesson_total=Count("lessons"))

    def get_list_display(self, request):
        # Only a superuser sees learners' private topics, each marked with its owner.
        if request.user.is_superuser:
            return (*self.list_display, "private_to")
        return self.list_display

    @admin.display(description="Private to", ordering="owner__username")
    def private_to(self, topic: Topic) -> str:
        return topic.owner.get_username() if topic.owner_id else "–"

    @admin.display(description="Lessons", ordering="lesson_total")
    def lesson_count(self, topic: Topic) -> int:
        return topic.lesson_total


@admin.register(Lesson)
class LessonAdmin(LivePreviewAdmin, admin.ModelAdmin):
    change_list_template = "admin/lessons/lesson/change_list.html"
    list_display = (
        "title",
        "topic",
        "status",
        "position",
        "reorder",
        "date",
        "updated_at",
        "last_edited_by",
        "suggestions_waiting",
    )
    list_display_links = ("title",)
    list_editable = ("status", "position")
    # The topics that have lessons in this list: an instructor's picks name no learner's
    # private topic (RelatedOnlyFieldListFilter reads them through `get_queryset`).
    list_filter = ("status", ("topic", admin.RelatedOnlyFieldListFilter), "date")
    list_select_related = ("topic", "topic__owner")
    search_fields = ("title", "slug", "summary", "source", "theme", "body")
    date_hierarchy = "date"
    ordering = ("topic__position", "topic__title", "position", "title")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = (
        "suggested_cards",
        "last_edited",
        "imported_from",
        "created_at",
        "updated_at",
    )
    actions = ("publish", "unpublish", "duplicate")
    inlines = (CardInline,)
    fieldsets = (
        (None, {"fields": ("title", "slug", "topic", "position", "status")}),
        ("Suggested cards", {"fields": ("suggested_cards",)}),
        ("About", {"fields": ("summary", "source", "theme", "date")}),
        ("Content", {"fields": ("body",)}),
        ("History", {"fields": ("last_edited", "imported_from", "created_at", "updated_at")}),
    )

    class Media:
        # Refreshes the inline cards' section choices from the live preview's answer.
        js = ("js/admin-card-sections.js",)

    def get_list_display(self, request):
        # Only a superuser sees learners' private lessons, each marked with its owner.
        if request.user.is_superuser:
            return (*self.list_display, "private_to")
        return self.list_display

    @admin.display(description="Private to")
    def private_to(self, lesson: Lesson) -> str:
        return lesson.topic.owner.get_username() if lesson.topic.owner_id else "–"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "topic":
            kwargs["queryset"] = Topic.objects.filter(managed_topics(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        # Who last edited each lesson, from the admin's own log (django.contrib.admin's
        # LogEntry): two subqueries in the list's one query, no model of our own to keep in step.
        edits = LogEntry.objects.filter(
            content_type_id=ContentType.objects.get_for_model(Lesson).pk,
            object_id=Cast(OuterRef("pk"), CharField()),
        ).order_by("-action_time", "-pk")
        waiting = (
            Suggestion.objects.pending()
            .filter(lesson=OuterRef("pk"))
            .order_by()
            .values("lesson")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            super()
            .get_queryset(request)
            .filter(managed_topics(request.user, "topic__"))
            .annotate(
                last_editor=Subquery(edits.values("user__username")[:1]),
                last_edited_at=Subquery(edits.values("action_time")[:1]),
                # The suggestions waiting for a decision: a subquery in the list's one query,
                # where a Count over a join would group by every column of the lesson.
                waiting=Coalesce(Subquery(waiting), 0),
            )
        )

    def get_fieldsets(self, request, obj=None):
        # A new lesson has no suggestions yet: importing its note makes them.
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return [fieldset for fieldset in fieldsets if fieldset[0] != "Suggested cards"]
        return fieldsets

    @admin.display(description="Suggestions", ordering="waiting")
    def suggestions_waiting(self, lesson: Lesson) -> str:
        """How many suggested cards wait for a decision, linked to their review."""
        if not lesson.waiting:
            return "–"
        return format_html(
            '<a href="{}" aria-label="{} suggested cards of “{}” waiting">{}</a>',
            suggestions_url(lesson),
            lesson.waiting,
            lesson.title,
            lesson.waiting,
        )

    @admin.display(description="Suggested cards")
    def suggested_cards(self, lesson: Lesson) -> str:
        if not lesson.pk:
            return "–"
        counts = dict(lesson.suggestions.values_list("status").annotate(n=Count("pk")).order_by())
        waiting, accepted, rejected = (counts.get(status, 0) for status in Suggestion.Status.values)
        if not (waiting or accepted or rejected):
            return "None. Import the lesson's note with “Suggest cards” to have some."
        return format_html(
            '{} waiting for a decision, {} accepted, {} rejected. <a href="{}">Review the '
            "suggested cards</a>",
            waiting,
            accepted,
            rejected,
            suggestions_url(lesson),
        )

    @admin.display(description="Last edited by", ordering="last_editor")
    def last_edited_by(self, lesson: Lesson) -> str:
        return lesson.last_editor or "–"

    @admin.display(description="Last edited")
    def last_edited(self, lesson: Lesson) -> str:
        if not lesson.pk:
            return "–"
        history = reverse("admin:lessons_lesson_history", args=[lesson.pk])
        if lesson.last_editor is None:
            return format_html('Not in the admin\'s log. <a href="{}">Change history</a>', history)
        return format_html(
            'By {} on {}. <a href="{}">Change history</a>',
            lesson.last_editor,
            date_format(localtime(lesson.last_edited_at), "DATETIME_FORMAT"),
            history,
        )

    @admin.display(description="Order")
    def reorder(self, lesson: Lesson) -> str:
        """Up and down buttons that post the list's own form to the move view (`formaction`):
        no nested form, no JavaScript."""
        return format_html(
            '<span class="lesson-reorder">'
            '<button type="submit" class="button" formaction="{}" aria-label="Move “{}” up">'
            "↑</button> "
            '<button type="submit" class="button" formaction="{}" aria-label="Move “{}” down">'
            "↓</button></span>",
            reverse("admin:lessons_lesson_move", args=[lesson.pk, "up"]),
            lesson.title,
            reverse("admin:lessons_lesson_move", args=[lesson.pk, "down"]),
            lesson.title,
        )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        placed = [slug for kind, slug in split_embeds(obj.body_html) if kind == "tree"]
        for slug in trees_missing(placed):
            self.message_user(
                request,
                f"The lesson places tree “{slug}”, which does not exist yet; "
                "learners see nothing there until it does.",
                messages.WARNING,
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

    def preview_from_data(self, request, data, obj=None) -> Preview:
        """The lesson as typed, then the cards typed under it, checked as saving checks them.
        The answer also carries the cards' section choices for the body as typed, which
        static/js/admin-card-sections.js puts in the inline selects."""
        preview = lesson_preview(data=data, user=request.user, saved_pk=obj.pk if obj else None)
        if not preview.drawable:
            return _lesson_preview_shown(preview)
        cards = self._inline_cards(request, data, lesson=preview.lesson, obj=obj)
        if cards is not None:
            preview.cards, card_problems = inline_card_previews(cards, lesson=preview.lesson)
            preview.problems = [*preview.problems, *card_problems]
        choices = section_choices(preview.lesson.sections())
        return _lesson_preview_shown(preview, client_data={"section_choices": choices})

    def _inline_cards(self, request, data, *, lesson: Lesson, obj):
        """The inline cards' formset bound to the form as typed, built as the change view builds
        it (ModelAdmin._create_formsets) but on the unsaved `lesson`, so sections are checked
        against the body typed; None if this user gets no cards inline. Never saved."""
        for formset_class, inline in self.get_formsets_with_inlines(request, obj):
            if inline.model is Card:
                return formset_class(
                    data=data,
                    instance=lesson,
                    prefix=formset_class.get_default_prefix(),
                    # A saved card's form reads its tags as its initial value: one query for all.
                    queryset=inline.get_queryset(request).prefetch_related("tags"),
                )
        return None

    def preview_from_object(self, request, obj: Lesson) -> Preview:
        """The lesson as last saved, with its saved cards (the pane without JavaScript)."""
        saved = {field: str(getattr(obj, field) or "") for field in PREVIEWED}
        preview = lesson_preview(data=saved, user=request.user)
        inline_cards = any(
            inline.model is Card for inline in self.get_inline_instances(request, obj)
        )
        if preview.drawable and inline_cards:
            # In the inline rows' order (Card.Meta.ordering), so the numbers match theirs.
            preview.cards = saved_card_previews(obj.cards.all(), lesson=preview.lesson)
        return _lesson_preview_shown(preview)

    @admin.action(description="Publish the selected lessons", permissions=["change"])
    def publish(self, request, queryset) -> None:
        count = queryset.update(status=Lesson.Status.PUBLISHED)
        self.message_user(request, f"Published {count} lesson(s).", messages.SUCCESS)

    @admin.action(description="Return the selected lessons to draft", permissions=["change"])
    def unpublish(self, request, queryset) -> None:
        count = queryset.update(status=Lesson.Status.DRAFT)
        self.message_user(request, f"Moved {count} lesson(s) back to draft.", messages.SUCCESS)

    def has_duplicate_permission(self, request) -> bool:
        return request.user.has_perms(("lessons.add_lesson", "flashcards.add_card"))

    @admin.action(
        description="Duplicate the selected lessons as drafts, with their cards",
        permissions=["duplicate"],
    )
    def duplicate(self, request, queryset):
        copies = []
        for lesson in queryset.order_by(*Lesson.READING_ORDER):
            copy = lesson_duplicate(lesson=lesson)
            self.log_addition(request, copy, [{"added": {}}])
            copies.append(copy)
        for copy in copies:
            self.message_user(request, f"Created the draft “{copy.title}” ({copy.slug}).")
        if len(copies) == 1:
            # One copy: the instructor will edit it next.
            return redirect("admin:lessons_lesson_change", copies[0].pk)
        return None

    def get_urls(self):
        upload = path(
            "import/",
            self.admin_site.admin_view(self.import_notes_view),
            name="lessons_lesson_import",
        )
        move = path(
            "<int:lesson_id>/move/<str:direction>/",
            self.admin_site.admin_view(require_POST(self.move_view)),
            name="lessons_lesson_move",
        )
        suggestions = path(
            "<path:object_id>/suggestions/",
            self.admin_site.admin_view(self.suggestions_view),
            name="lessons_lesson_suggestions",
        )
        anki = path(
            "import-anki/",
            self.admin_site.admin_view(self.import_anki_view),
            name="lessons_lesson_import_anki",
        )
        return [upload, anki, move, suggestions, *super().get_urls()]

    def import_anki_view(self, request):
        """Upload Anki packages (decks/admin.py): they become lessons and cards, as notes do,
        so with the same rights as the notes' upload."""
        return anki_import_view(request, admin_site=self.admin_site, permissions=IMPORT_PERMISSIONS)

    def suggestions_view(self, request, object_id: str):
        """The lesson's suggested cards, to accept, edit and accept, or reject (notes/admin.py).
        The lesson comes through this admin's queryset, so what it hides is a 404 here too."""
        lesson = self.get_object(request, object_id)
        if lesson is None:
            raise Http404
        if not self.has_change_permission(request, lesson):
            raise PermissionDenied
        return suggestions_review(
            request,
            lesson=lesson,
            admin_context=self.admin_site.each_context(request),
        )

    def move_view(self, request, lesson_id: int, direction: str):
        """Move a lesson up or down within its topic, then back to the list as it was."""
        # Through the admin's own queryset, which leaves out learners' private lessons.
        lesson = self.get_object(request, str(lesson_id))
        if lesson is None:
            raise Http404
        if not self.has_change_permission(request, lesson):
            raise PermissionDenied
        if direction not in MOVES:
            raise Http404
        lesson_move(lesson=lesson, offset=MOVES[direction])
        self.log_change(request, lesson, [{"changed": {"fields": ["Position"]}}])
        back = request.headers.get("referer", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("admin:lessons_lesson_changelist")
        return redirect(back)

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
                    suggest=form.cleaned_data["suggest"],
                    accept_suggestions=form.cleaned_data["accept_suggestions"],
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


def _lesson_preview_shown(preview, client_data=None) -> Preview:
    return Preview(
        title=f"Preview of the lesson “{preview.lesson.title}” as learners see it",
        document_template="lessons/lesson_preview.html",
        context=preview.context(),
        problems=preview.problems,
        client_data=client_data,
    )
