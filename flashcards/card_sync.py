"""Keeping a lesson's cards, and each card's prompts, in step with the text they are written in.

Progress survives edits: a card is matched to the one it was (by `id:`, identical text, or a
similar front), and a prompt whose text changed keeps every learner's state. A card's tags,
section and exam anchor are metadata: changing them rewrites the card but not its prompts, so
nothing comes back early or is marked "Updated".
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from flashcards.cards import CardSpec, content_key, prompts_for
from flashcards.models import Card, Prompt, PromptState, Tag
from flashcards.rendering import render_prompt
from portal.problems import Problem, ProblemList
from search.models import Entry
from search.services import card_entry, card_search_document
from search.text import Document

BATCH = 500


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


@dataclass
class CardsPlan:
    """What syncing a lesson's cards will write, worked out (and rendered) before any lock is
    taken. `seen` is when each card it was worked out from was last saved: the write refuses
    the plan if any of them changed since."""

    change: CardsChange
    cards: list[tuple[Card, CardSpec, Document]]  # to create (no pk yet) or update
    prompts: dict[int, PromptsPlan]  # by position in `cards`
    retired: list[int]
    seen: dict[int, dt.datetime]
    now: dt.datetime
    # A plan that only adds cards (accepted suggestions) leaves the note's own cards as they
    # are, so it need not be refused when they changed meanwhile.
    adds_only: bool = False


@dataclass
class PromptsPlan:
    create: list[Prompt]  # card not set yet: it may not exist
    update: list[Prompt]
    deactivate: list[int]
    changed: list[int]


class CardsChangedMeanwhile(Exception):
    """The lesson's cards were edited while an import was working them out."""


def cards_sync_from_note(
    *, lesson, specs: list[CardSpec], now: dt.datetime | None = None
) -> CardsChange:
    """Make the lesson's note-written cards match `specs`, keeping learners' progress.

    A card matches an existing one by its `id:` if it has one, else by identical text
    (unchanged: progress kept as it is), else by a similar front (changed: progress kept, and
    its prompts come back to learners now). Cards no longer in the note are retired, not
    deleted, so their review history stays.
    """
    plan = cards_plan(
        lesson_id=lesson.pk,
        lesson_slug=lesson.slug,
        lesson_title=lesson.title,
        sections=lesson.sections(),
        specs=specs,
        now=now,
    )
    with transaction.atomic():
        cards_plan_write(plan=plan, lesson=lesson)
    return plan.change


def cards_plan(
    *,
    lesson_id: int | None,
    lesson_slug: str,
    lesson_title: str,
    sections: dict[str, str],
    specs: list[CardSpec],
    now: dt.datetime | None = None,
) -> CardsPlan:
    """Work out and render everything `cards_sync_from_note` writes, reading without locks.
    Raises CardsInvalid for a card naming a section the lesson does not have."""
    now = now or timezone.now()
    _check_sections(specs, sections, lesson_slug)
    existing = (
        list(
            Card.objects.filter(lesson_id=lesson_id, origin=Card.Origin.NOTE).prefetch_related(
                "tags", "prompts"
            )
        )
        if lesson_id is not None
        else []
    )
    pairs = _match_cards(specs, existing)
    change = {"created": 0, "updated": 0, "unchanged": 0, "retired": 0}
    kept: set[int] = set()
    cards: list[tuple[Card, CardSpec, Document]] = []
    prompts: dict[int, PromptsPlan] = {}
    for position, spec in enumerate(specs):
        card = pairs.get(position)
        if card is None:
            card = Card(lesson_id=lesson_id, origin=Card.Origin.NOTE)
            change["created"] += 1
        elif _same(card, spec, position):
            kept.add(card.pk)
            change["unchanged"] += 1
            continue
        else:
            kept.add(card.pk)
            change["updated"] += 1
        card.kind, card.front, card.back = spec.kind, spec.front, spec.back
        card.section, card.key, card.exam, card.position, card.is_active = (
            spec.section,
            spec.key,
            spec.exam,
            position,
            True,
        )
        card.content_key = content_key(spec)
        document = card_search_document(card, lesson_title=lesson_title)
        prompts[len(cards)] = _prompts_plan(card, now=now)
        cards.append((card, spec, document))
    retired = [card.pk for card in existing if card.pk not in kept and card.is_active]
    change["retired"] = len(retired)
    return CardsPlan(
        change=CardsChange(**change),
        cards=cards,
        prompts=prompts,
        retired=retired,
        seen={card.pk: card.updated_at for card in existing},
        now=now,
    )


def cards_add_plan(
    *,
    lesson_id: int | None,
    lesson_slug: str,
    lesson_title: str,
    sections: dict[str, str],
    specs: list[CardSpec],
    origin: str,
    now: dt.datetime | None = None,
    after: int = -1,
) -> CardsPlan:
    """Work out and render new cards of `origin` added after the lesson's others, reading
    without locks (accepted suggestions). `after`: the last position taken by cards not yet
    written (a note's own, at positions 0 to n-1, written by the same import). Raises
    CardsInvalid for a section the lesson does not have."""
    now = now or timezone.now()
    _check_sections(specs, sections, lesson_slug)
    last = after
    if lesson_id is not None:
        positions = Card.objects.filter(lesson_id=lesson_id).values_list("position", flat=True)
        last = max([after, *positions])
    cards: list[tuple[Card, CardSpec, Document]] = []
    prompts: dict[int, PromptsPlan] = {}
    for offset, spec in enumerate(specs, start=1):
        card = Card(
            lesson_id=lesson_id,
            origin=origin,
            kind=spec.kind,
            front=spec.front,
            back=spec.back,
            section=spec.section,
            key=spec.key,
            exam=spec.exam,
            position=last + offset,
            content_key=content_key(spec),
        )
        prompts[len(cards)] = _prompts_plan(card, now=now)
        cards.append((card, spec, card_search_document(card, lesson_title=lesson_title)))
    return CardsPlan(
        change=CardsChange(created=len(cards)),
        cards=cards,
        prompts=prompts,
        retired=[],
        seen={},
        now=now,
        adds_only=True,
    )


def _check_sections(specs: list[CardSpec], sections: dict[str, str], lesson_slug: str) -> None:
    problems = [
        Problem(
            f"card '{spec.front[:40]}': section '#{spec.section}' is not a heading of "
            f"lesson '{lesson_slug}'",
            spec.line,
        )
        for spec in specs
        if spec.section and spec.section not in sections
    ]
    if problems:
        raise CardsInvalid(problems)


def cards_plan_write(*, plan: CardsPlan, lesson) -> None:
    """Write a plan with a handful of bulk queries. Call inside a transaction. Raises
    CardsChangedMeanwhile if the lesson's cards are no longer those it was worked out from."""
    if not plan.adds_only:
        now_seen = dict(
            Card.objects.filter(lesson=lesson, origin=Card.Origin.NOTE).values_list(
                "pk", "updated_at"
            )
        )
        if now_seen != plan.seen:
            raise CardsChangedMeanwhile
    new = [card for card, _, _ in plan.cards if card.pk is None]
    old = [card for card, _, _ in plan.cards if card.pk is not None]
    for card in new:
        card.lesson = lesson
    for card in old:
        card.updated_at = plan.now  # bulk_update skips auto_now
    Card.objects.bulk_create(new, batch_size=BATCH)
    Card.objects.bulk_update(
        old,
        ["kind", "front", "back", "section", "key", "exam", "position", "is_active", "content_key"]
        + ["updated_at"],
        batch_size=BATCH,
    )
    _tags_write(plan)
    _prompts_write(plan)
    if plan.retired:
        Card.objects.filter(pk__in=plan.retired).update(is_active=False)
        Prompt.objects.filter(card_id__in=plan.retired).update(is_active=False)
    # Bulk writes send no post_save, so the cards' search rows are written here, already built.
    written = [card.pk for card, _, _ in plan.cards]
    Entry.objects.filter(card_id__in=written).delete()
    Entry.objects.bulk_create(
        (card_entry(card, document) for card, _, document in plan.cards), batch_size=BATCH
    )


def _prompts_plan(card: Card, *, now: dt.datetime) -> PromptsPlan:
    """What bringing a card's prompts in line with its text takes, rendered but not written: by
    card_prompts_sync for one card, by cards_plan_write for a whole note's in bulk. A retired
    card keeps no active prompt."""
    current = {prompt.ordinal: prompt for prompt in card.prompts.all()} if card.pk else {}
    wanted = prompts_for(card.kind, card.front, card.back) if card.is_active else []
    plan = PromptsPlan(create=[], update=[], deactivate=[], changed=[])
    for spec in wanted:
        prompt = current.pop(spec.ordinal, None)
        if prompt is not None and prompt.content_hash == spec.content_hash and prompt.is_active:
            continue  # unchanged: nothing to render or write
        rendered = render_prompt(card.kind, spec)
        if prompt is None:
            plan.create.append(
                Prompt(
                    ordinal=spec.ordinal,
                    front_html=rendered.front_html,
                    back_html=rendered.back_html,
                    options=rendered.options,
                    content_hash=spec.content_hash,
                )
            )
            continue
        if prompt.content_hash != spec.content_hash:
            prompt.changed_at = now
            plan.changed.append(prompt.pk)
        prompt.front_html, prompt.back_html = rendered.front_html, rendered.back_html
        prompt.options = rendered.options
        prompt.content_hash, prompt.is_active = spec.content_hash, True
        plan.update.append(prompt)
    plan.deactivate = [prompt.pk for prompt in current.values() if prompt.is_active]
    return plan


def _prompts_write(plan: CardsPlan) -> None:
    create, update, deactivate, changed = [], [], [], []
    for index, prompts in plan.prompts.items():
        card = plan.cards[index][0]
        for prompt in prompts.create:
            prompt.card = card
        create += prompts.create
        update += prompts.update
        deactivate += prompts.deactivate
        changed += prompts.changed
    Prompt.objects.bulk_create(create, batch_size=BATCH)
    Prompt.objects.bulk_update(
        update,
        ["front_html", "back_html", "options", "content_hash", "is_active", "changed_at"],
        batch_size=BATCH,
    )
    if deactivate:
        Prompt.objects.filter(pk__in=deactivate).update(is_active=False)
    if changed:
        PromptState.objects.filter(prompt_id__in=changed, due__gt=plan.now).update(due=plan.now)


def _tags_write(plan: CardsPlan) -> None:
    tags = {tag.slug: tag for tag in _tags(sorted({t for _, s, _ in plan.cards for t in s.tags}))}
    through = Card.tags.through
    through.objects.filter(card_id__in=[card.pk for card, _, _ in plan.cards]).delete()
    through.objects.bulk_create(
        (
            through(card_id=card.pk, tag_id=tags[slug].pk)
            for card, spec, _ in plan.cards
            for slug in dict.fromkeys(spec.tags)
        ),
        batch_size=BATCH,
    )


def _same(card: Card, spec: CardSpec, position: int) -> bool:
    return (
        card.is_active
        and card.content_key == content_key(spec)
        and card.section == spec.section
        and card.exam == spec.exam
        and card.position == position
        and sorted(tag.slug for tag in card.tags.all()) == sorted(spec.tags)
    )


def _match_cards(specs: list[CardSpec], existing: list[Card]) -> dict[int, Card]:
    pairs: dict[int, Card] = {}
    free = {card.pk: card for card in existing}
    by_key = {card.key: card for card in existing if card.key}
    by_content: dict[str, list[int]] = {}
    for card in existing:
        by_content.setdefault(card.content_key, []).append(card.pk)
    for position, spec in enumerate(specs):
        if spec.key and spec.key in by_key and by_key[spec.key].pk in free:
            pairs[position] = free.pop(by_key[spec.key].pk)
    for position, spec in enumerate(specs):
        if position in pairs:
            continue
        wanted = content_key(spec)
        same = next((pk for pk in by_content.get(wanted, ()) if pk in free), None)
        if same is not None:
            pairs[position] = free.pop(same)
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
    plan = _prompts_plan(card, now=now)
    for prompt in plan.create:
        prompt.card = card
        prompt.save()
    for prompt in plan.update:
        prompt.save()
    if plan.deactivate:
        Prompt.objects.filter(pk__in=plan.deactivate).update(is_active=False)
    if plan.changed:
        PromptState.objects.filter(prompt_id__in=plan.changed, due__gt=now).update(due=now)
