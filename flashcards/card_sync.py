"""Keeping a lesson's cards, and each card's prompts, in step with the text they are written in.

Progress survives edits: a card is matched to the one it was (by `id:`, identical text, or a
similar front), and a prompt whose text changed keeps every learner's state.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from flashcards.cards import CardSpec, content_key, prompts_for
from flashcards.models import Card, Prompt, PromptState, Tag
from portal.markdown import render_markdown
from portal.problems import Problem, ProblemList


class CardsInvalid(ProblemList):
    """A note's cards that do not fit its lesson (a section it does not have). Nothing saved."""


@dataclass(frozen=True)
class CardsChange:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0

    @property
    def action(self) -> str:
        if self.created and not (self.updated or self.unchanged or self.retired):
            return "create"
        return "update" if (self.created or self.updated or self.retired) else "unchanged"

    def describe(self) -> str:
        return (
            f"{self.created} new, {self.updated} changed, {self.unchanged} unchanged, "
            f"{self.retired} retired"
        )


@transaction.atomic
def cards_sync_from_note(
    *, lesson, specs: list[CardSpec], now: dt.datetime | None = None
) -> CardsChange:
    """Make the lesson's note-written cards match `specs`, keeping learners' progress.

    A card matches an existing one by its `id:` if it has one, else by identical text
    (unchanged: progress kept as it is), else by a similar front (changed: progress kept, and
    its prompts come back to learners now). Cards no longer in the note are retired, not
    deleted, so their review history stays.
    """
    now = now or timezone.now()
    sections = lesson.sections()
    problems = [
        Problem(
            f"card '{spec.front[:40]}': section '#{spec.section}' is not a heading of "
            f"lesson '{lesson.slug}'",
            spec.line,
        )
        for spec in specs
        if spec.section and spec.section not in sections
    ]
    if problems:
        raise CardsInvalid(problems)

    existing = list(
        Card.objects.filter(lesson=lesson, origin=Card.Origin.NOTE).prefetch_related("tags")
    )
    pairs = _match_cards(specs, existing)
    change = {"created": 0, "updated": 0, "unchanged": 0, "retired": 0}
    kept: set[int] = set()
    for position, spec in enumerate(specs):
        card = pairs.get(position)
        if card is None:
            card = Card(lesson=lesson, origin=Card.Origin.NOTE)
            change["created"] += 1
        elif _same(card, spec, position):
            kept.add(card.pk)
            change["unchanged"] += 1
            continue
        else:
            change["updated"] += 1
        card.kind, card.front, card.back = spec.kind, spec.front, spec.back
        card.section, card.key, card.position, card.is_active = (
            spec.section,
            spec.key,
            position,
            True,
        )
        card.content_key = content_key(spec)
        card.save()
        kept.add(card.pk)
        card.tags.set(_tags(spec.tags))
        card_prompts_sync(card, now=now)
    retired = [card.pk for card in existing if card.pk not in kept and card.is_active]
    if retired:
        Card.objects.filter(pk__in=retired).update(is_active=False)
        Prompt.objects.filter(card_id__in=retired).update(is_active=False)
    change["retired"] = len(retired)
    return CardsChange(**change)


def _same(card: Card, spec: CardSpec, position: int) -> bool:
    return (
        card.is_active
        and card.content_key == content_key(spec)
        and card.section == spec.section
        and card.position == position
        and sorted(tag.slug for tag in card.tags.all()) == sorted(spec.tags)
    )


def _match_cards(specs: list[CardSpec], existing: list[Card]) -> dict[int, Card]:
    pairs: dict[int, Card] = {}
    free = {card.pk: card for card in existing}
    by_key = {card.key: card for card in existing if card.key}
    for position, spec in enumerate(specs):
        if spec.key and spec.key in by_key and by_key[spec.key].pk in free:
            pairs[position] = free.pop(by_key[spec.key].pk)
    for position, spec in enumerate(specs):
        if position in pairs:
            continue
        wanted = content_key(spec)
        same = next((card for card in free.values() if card.content_key == wanted), None)
        if same:
            pairs[position] = free.pop(same.pk)
    for position, spec in enumerate(specs):
        if position in pairs or spec.key:
            continue
        best, score = None, 0.0
        for card in free.values():
            if card.kind != spec.kind:
                continue
            ratio = difflib.SequenceMatcher(None, card.front, spec.front).ratio()
            if ratio > score:
                best, score = card, ratio
        if best is not None and score >= 0.6:
            pairs[position] = free.pop(best.pk)
    return pairs


def _tags(slugs: list[str]) -> list[Tag]:
    existing = {tag.slug: tag for tag in Tag.objects.filter(slug__in=slugs)}
    missing = [Tag(slug=slug) for slug in slugs if slug not in existing]
    created = Tag.objects.bulk_create(missing) if missing else []
    return [*existing.values(), *created]


def card_prompts_sync(card: Card, *, now: dt.datetime | None = None) -> None:
    """Bring the card's prompts in line with its text.

    A prompt whose text changed keeps every learner's state but becomes due now and is marked
    changed, so learners see the new wording soon.
    """
    now = now or timezone.now()
    current = {prompt.ordinal: prompt for prompt in card.prompts.all()}
    wanted = prompts_for(card.kind, card.front, card.back) if card.is_active else []
    changed_ids = []
    for spec in wanted:
        prompt = current.pop(spec.ordinal, None)
        if prompt is not None and prompt.content_hash == spec.content_hash and prompt.is_active:
            continue  # unchanged: nothing to render or write
        front_html = render_markdown(spec.front).html
        back_html = render_markdown(spec.back).html
        if prompt is None:
            Prompt.objects.create(
                card=card,
                ordinal=spec.ordinal,
                front_html=front_html,
                back_html=back_html,
                content_hash=spec.content_hash,
            )
            continue
        if prompt.content_hash != spec.content_hash:
            prompt.changed_at = now
            changed_ids.append(prompt.pk)
        prompt.front_html, prompt.back_html = front_html, back_html
        prompt.content_hash, prompt.is_active = spec.content_hash, True
        prompt.save()
    for prompt in current.values():
        if prompt.is_active:
            prompt.is_active = False
            prompt.save(update_fields=["is_active"])
    if changed_ids:
        PromptState.objects.filter(prompt_id__in=changed_ids, due__gt=now).update(due=now)
