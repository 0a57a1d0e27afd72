"""A card as learners will study it, from the admin form as typed (portal/preview.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flashcards.cards import CardsError, CardSpec, check_card, prompts_for
from flashcards.models import Card
from lessons.models import Lesson
from portal.markdown import MarkdownTooDeep, render_markdown
from portal.problems import Problem


@dataclass(frozen=True)
class PreviewPrompt:
    """A prompt shaped as the study page reads one (`prompt.front_html`, `prompt.card`)."""

    ordinal: int
    front_html: str
    back_html: str
    card: Card


@dataclass
class CardPreview:
    card: Card  # unsaved
    prompts: list[PreviewPrompt] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def context(self) -> dict | None:
        if not self.prompts:
            return None
        return {"card": self.card, "prompts": self.prompts}


def card_preview(*, data: Mapping[str, str]) -> CardPreview:
    """Each prompt of the card `data` describes, both faces rendered as card_prompts_sync
    renders them (cloze blanks on the front, the filled answer on the back), with what
    check_card finds wrong. Reads the lesson's title; writes nothing."""
    spec = CardSpec(
        kind=data.get("kind", "") or Card.Kind.BASIC,
        front=data.get("front", "").strip(),
        back=data.get("back", "").strip(),
        exam=data.get("exam", "").strip(),
    )
    card = Card(kind=spec.kind, front=spec.front, back=spec.back, exam=spec.exam)
    card.lesson = _lesson(data.get("lesson", ""))
    preview = CardPreview(card=card)
    try:
        check_card(spec)
    except CardsError as error:
        preview.problems = error.problems
    try:
        preview.prompts = [
            PreviewPrompt(
                ordinal=prompt.ordinal,
                front_html=render_markdown(prompt.front).html,
                back_html=render_markdown(prompt.back).html,
                card=card,
            )
            for prompt in prompts_for(spec.kind, spec.front, spec.back)
            if prompt.front
        ]
    except MarkdownTooDeep:
        preview.prompts = []  # check_card has said why
    return preview


def _lesson(value: str) -> Lesson | None:
    """The lesson the form names, by id, for the card's heading; None when it names none."""
    if not value.strip().isdigit():
        return None
    return Lesson.objects.only("id", "title", "slug").filter(pk=int(value)).first()
