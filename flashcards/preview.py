"""A card as learners will study it, from the admin form as typed (portal/preview.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.formsets import DELETION_FIELD_NAME

from flashcards.cards import CardsError, CardSpec, check_card, prompts_for
from flashcards.models import Card
from flashcards.options import OptionsError, parse_options
from flashcards.rendering import render_prompt
from lessons.models import Lesson, readable_topics
from portal.markdown import MarkdownTooDeep
from portal.problems import Problem
from practice.answers import ask_of


@dataclass(frozen=True)
class PreviewPrompt:
    """A prompt shaped as the study page reads one (`prompt.front_html`, `prompt.card`)."""

    ordinal: int
    front_html: str
    back_html: str
    card: Card
    options: list[dict] = field(default_factory=list)

    @property
    def question(self) -> dict | None:
        """A question's front as the study page asks it (practice.answers.ask_of)."""
        return ask_of(self) if self.card.kind == Card.Kind.QUESTION else None


@dataclass
class CardPreview:
    card: Card  # unsaved
    prompts: list[PreviewPrompt] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def context(self) -> dict | None:
        if not self.prompts:
            return None
        return {"card": self.card, "prompts": self.prompts}


def card_preview(*, data: Mapping[str, str], lesson: Lesson | None = None) -> CardPreview:
    """Each prompt of the card `data` describes, both faces rendered as card_prompts_sync
    renders them (cloze blanks on the front, the filled answer on the back), with what
    check_card finds wrong. The card's lesson is `lesson` when given (a card written under it),
    else the one `data` names, whose title it reads; writes nothing."""
    spec = CardSpec(
        kind=data.get("kind", "") or Card.Kind.BASIC,
        front=data.get("front", "").strip(),
        back=data.get("back", "").strip(),
        exam=data.get("exam", "").strip(),
    )
    card = Card(kind=spec.kind, front=spec.front, back=spec.back, exam=spec.exam)
    card.lesson = lesson if lesson is not None else _lesson(data.get("lesson", ""))
    preview = CardPreview(card=card)
    try:
        check_card(spec)
    except CardsError as error:
        preview.problems = _with_option_lines(spec, error.problems)
    try:
        preview.prompts = [
            PreviewPrompt(
                ordinal=prompt.ordinal,
                front_html=rendered.front_html,
                back_html=rendered.back_html,
                card=card,
                options=rendered.options,
            )
            for prompt in prompts_for(spec.kind, spec.front, spec.back)
            if prompt.front
            for rendered in [render_prompt(spec.kind, prompt)]
        ]
    except (MarkdownTooDeep, OptionsError):
        preview.prompts = []  # check_card has said why
    return preview


@dataclass
class InlineCardPreview:
    """A card written under its lesson: its number among the lesson page's inline rows (as the
    admin labels a new one, "#3") and its preview."""

    number: int
    preview: CardPreview


# What a card preview draws, as an inline card form posts it.
DRAWN = ("kind", "front", "back", "exam")


def inline_card_previews(
    formset, *, lesson: Lesson
) -> tuple[list[InlineCardPreview], list[Problem]]:
    """The cards of a lesson's inline formset (bound to the lesson form as typed, never saved)
    as learners will study them, and every problem saving would report, each naming its card
    ("Card 3: …"). Validation is the formset's own (CardForm.clean, its section checked against
    `lesson`, the formset's instance, whose body is the one typed). Rows marked for deletion,
    and added rows left blank, are not cards to be."""
    cards: list[InlineCardPreview] = []
    problems: list[Problem] = []
    for number, form in enumerate(formset.forms, start=1):
        if formset.can_delete and form[DELETION_FIELD_NAME].value():
            continue
        if form.empty_permitted and not form.has_changed():
            continue
        data = {name: form.data.get(form.add_prefix(name), "") for name in DRAWN}
        cards.append(InlineCardPreview(number, card_preview(data=data, lesson=lesson)))
        for name, messages in form.errors.items():
            label = form.fields[name].label if name in form.fields else None
            about = (
                f"Card {number}: {label}"
                if name != NON_FIELD_ERRORS and label
                else f"Card {number}"
            )
            problems.extend(Problem(f"{about}: {message}") for message in messages)
    return cards, problems


def saved_card_previews(cards: Iterable[Card], *, lesson: Lesson) -> list[InlineCardPreview]:
    """A lesson's saved cards, numbered as its inline rows (`cards` in their order), for the
    preview of the lesson as last saved (the pane without JavaScript)."""
    return [
        InlineCardPreview(
            number,
            card_preview(data={name: getattr(card, name) for name in DRAWN}, lesson=lesson),
        )
        for number, card in enumerate(cards, start=1)
    ]


def _with_option_lines(spec: CardSpec, problems: list[Problem]) -> list[Problem]:
    """A question's option problems placed at their line of the Back field, where the
    instructor types the options (check_card places them at the card's line in a note)."""
    if spec.kind != Card.Kind.QUESTION:
        return problems
    try:
        parse_options(spec.back, first_line=1)
    except OptionsError as error:
        lined = {problem.message: problem.within("Back") for problem in error.problems}
        return [lined.get(problem.message, problem) for problem in problems]
    return problems


def _lesson(value: str) -> Lesson | None:
    """The lesson the form names, by id, for the card's heading; None when it names none."""
    if not value.strip().isdigit():
        return None
    # A learner's private lesson names no heading here: its title is theirs alone.
    lessons = Lesson.objects.filter(readable_topics(None, "topic__"))
    return lessons.only("id", "title", "slug").filter(pk=int(value)).first()
