from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import F, FloatField, Value
from django.db.models.functions import Cast, NullIf

from flashcards.card_sync import card_prompts_sync
from flashcards.cards import CardsError, CardSpec, check_card
from flashcards.models import Card
from flashcards.preview import card_preview
from flashcards.selectors import card_figures
from portal.preview import LivePreviewAdmin, Preview


class CardForm(forms.ModelForm):
    """Refuses a card that cannot be studied, or a section its lesson does not have."""

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
        }

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
        lesson = cleaned.get("lesson") or getattr(self.instance, "lesson", None)
        section = cleaned.get("section")
        if lesson is not None and section and section not in lesson.sections():
            self.add_error(
                "section", f"Lesson “{lesson.title}” has no section with the anchor “{section}”."
            )
        return cleaned


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
    list_filter = ("kind", ExamCardFilter, "is_active", "origin", "lesson", "tags")
    search_fields = ("front", "back", "exam", "section", "lesson__title", "tags__slug")
    list_select_related = ("lesson",)
    filter_horizontal = ("tags",)
    readonly_fields = ("origin", "key", "created_at", "updated_at")

    def get_queryset(self, request):
        cards = card_figures(super().get_queryset(request))
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

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        card_prompts_sync(form.instance)

    # The live preview (portal/preview.py), beside the card's one fieldset.
    def preview_from_data(self, request, data) -> Preview:
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
