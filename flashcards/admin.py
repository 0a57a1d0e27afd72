from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import F, FloatField, Value
from django.db.models.functions import Cast, NullIf
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from flashcards.card_sync import card_prompts_sync
from flashcards.cards import CardsError, CardSpec, check_card
from flashcards.models import Card
from flashcards.preview import card_preview
from flashcards.selectors import card_figures
from lessons.models import Lesson, managed_topics
from portal.preview import LivePreviewAdmin, Preview


def section_choices(sections: dict[str, str], keep: str = "") -> list[tuple[str, str]]:
    """A select's choices for a card's section: each heading as "Heading — #anchor", in the
    body's order, after an empty choice. `keep` (a submitted anchor) stays a choice even if
    these sections lack it, so a re-rendered form shows what was chosen."""
    choices = [("", "— none —")]
    choices += [(anchor, f"{name} — #{anchor}") for anchor, name in sections.items()]
    if keep and keep not in sections:
        choices.append((keep, f"#{keep}"))
    return choices


class CardForm(forms.ModelForm):
    """Refuses a card that cannot be studied, or a section its lesson does not have.

    The section is checked against the lesson's body as it is being saved: inline under a
    lesson, that is the submitted body, so a card may point at a heading added in the same save.
    """

    class Meta:
        model = Card
        fields = (
            "lesson",
            "section",
            "kind",
            "front",
            "back",
            "exam",
            "tags",
            "position",
            "is_active",
        )
        widgets = {
            "front": forms.Textarea(attrs={"rows": 3}),
            "back": forms.Textarea(attrs={"rows": 3}),
            # A select whose field stays a CharField: any anchor passes the field, and clean()
            # checks it against the submitted body, which the choices (from the stored body)
            # may not know yet.
            "section": forms.Select,
        }

    def __init__(self, *args, lesson=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._parent_lesson = lesson
        if "section" not in self.fields:
            return
        lesson = lesson or self._instance_lesson()
        if lesson is None and self.initial.get("lesson"):
            lesson = self._initial_lesson(self.initial["lesson"])
        submitted = self.data.get(self.add_prefix("section"), "") if self.is_bound else ""
        sections = lesson.sections() if lesson is not None else {}
        self.fields["section"].widget.choices = section_choices(
            sections, keep=submitted or self.initial.get("section", "")
        )

    def _initial_lesson(self, value):
        """The lesson `?lesson=` names, among the lesson field's choices: the admin limits them
        to the lessons this user manages, so another learner's private note shows nothing."""
        if "lesson" not in self.fields or not str(value).isascii() or not str(value).isdigit():
            return None
        return self.fields["lesson"].queryset.filter(pk=int(value)).first()

    def _instance_lesson(self):
        lesson_id = getattr(self.instance, "lesson_id", None)
        return self.instance.lesson if lesson_id else None

    def clean(self):
        cleaned = super().clean()
        spec = CardSpec(
            kind=cleaned.get("kind") or "",
            front=(cleaned.get("front") or "").strip(),
            back=(cleaned.get("back") or "").strip(),
        )
        try:
            check_card(spec)
        except CardsError as error:
            raise forms.ValidationError(error.lines()) from None
        lesson = cleaned.get("lesson") or self._parent_lesson or self._instance_lesson()
        section = cleaned.get("section") or ""
        if lesson is not None:
            sections = lesson.current_sections()
            # Re-rendered after an error, the select offers the headings of the body submitted.
            self.fields["section"].widget.choices = section_choices(sections, keep=section)
            if section and section not in sections:
                self.add_error(
                    "section",
                    f"Lesson “{lesson.title}” has no section with the anchor “{section}”"
                    " (in the body being saved).",
                )
        return cleaned


class CardInlineFormSet(forms.BaseInlineFormSet):
    """Hands each card form the lesson being edited, whose body its section is checked against."""

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "lesson": self.instance}


class ExamCardFilter(admin.SimpleListFilter):
    title = "exam anchor"
    parameter_name = "exam"

    def lookups(self, request, model_admin):
        return [("yes", "Has one"), ("no", "Has none")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exam()
        if self.value() == "no":
            return queryset.filter(exam="")
        return queryset


class CardInline(admin.StackedInline):
    """Cards under their lesson (LessonAdmin shows this)."""

    model = Card
    form = CardForm
    formset = CardInlineFormSet
    fields = ("kind", "front", "back", "exam", "section", "tags", "position", "is_active")
    extra = 0
    show_change_link = True


@admin.register(Card)
class CardAdmin(LivePreviewAdmin, admin.ModelAdmin):
    form = CardForm
    list_display = (
        "short_front",
        "lesson",
        "kind",
        "section",
        "is_active",
        "reviews",
        "again_rate",
        "lapses",
        "leeches",
    )
    # The lessons that have cards in this list: no learner's private lesson for an instructor.
    list_filter = (
        "kind",
        ExamCardFilter,
        "is_active",
        "origin",
        ("lesson", admin.RelatedOnlyFieldListFilter),
        "tags",
    )
    search_fields = ("front", "back", "exam", "section", "lesson__title", "tags__slug")
    list_select_related = ("lesson",)
    filter_horizontal = ("tags",)
    readonly_fields = ("origin", "key", "created_at", "updated_at", "answer_figures")

    def get_queryset(self, request):
        # A learner's own notes' cards are theirs: an instructor neither lists nor opens them.
        mine = super().get_queryset(request).filter(managed_topics(request.user, "lesson__topic__"))
        cards = card_figures(mine)
        return cards.annotate(
            again_share=Cast(F("again_count"), FloatField())
            / NullIf(Cast(F("review_count"), FloatField()), Value(0.0))
        )

    @admin.display(description="Front", ordering="front")
    def short_front(self, card: Card) -> str:
        return card.front if len(card.front) <= 70 else card.front[:69] + "…"

    @admin.display(description="Reviews", ordering="review_count")
    def reviews(self, card: Card) -> int:
        return card.review_count

    @admin.display(description="Again", ordering="again_share")
    def again_rate(self, card: Card) -> str:
        return f"{round(100 * card.again_share)}%" if card.again_share is not None else "–"

    @admin.display(description="Lapses", ordering="lapse_total")
    def lapses(self, card: Card) -> int:
        return card.lapse_total

    @admin.display(description="Leeches", ordering="leech_count")
    def leeches(self, card: Card) -> int:
        return card.leech_count

    @admin.display(description="Answers")
    def answer_figures(self, card: Card) -> str:
        """A question's answers and its options' pick rates, on the analytics' Questions page."""
        if card.pk is None or card.kind != Card.Kind.QUESTION:
            return "–"
        url = f"{reverse('analytics:questions')}?{urlencode({'card': card.pk})}"
        return format_html('<a href="{}">Its answers and pick rates</a>', url)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lesson":
            kwargs["queryset"] = Lesson.objects.filter(managed_topics(request.user, "topic__"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        card_prompts_sync(form.instance)

    # The live preview (portal/preview.py), beside the card's one fieldset.
    def preview_from_data(self, request, data, obj=None) -> Preview:
        preview = card_preview(data=data)
        return Preview(
            title="Preview of the card as learners study it",
            document_template="flashcards/card_preview.html",
            context=preview.context(),
            problems=preview.problems,
        )

    def preview_from_object(self, request, obj: Card) -> Preview:
        saved = {"kind": obj.kind, "front": obj.front, "back": obj.back, "exam": obj.exam}
        return self.preview_from_data(request, {**saved, "lesson": str(obj.lesson_id or "")})
