"""Writes to flashcards: grading, undoing, rebuilding states, syncing cards from notes."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from itertools import groupby

from django.conf import settings as django_settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from flashcards.cards import CardSpec, content_key, prompts_for
from flashcards.days import local_date
from flashcards.models import Card, Prompt, PromptState, Review, StudySettings, Tag
from flashcards.scheduling import (
    Memory,
    interval_cap,
    interval_days,
    make_scheduler,
    review,
    with_due,
)
from portal.markdown import render_markdown
from portal.problems import Problem, ProblemList

TOKEN_SALT = "flashcards.grade"
UNDO_SALT = "flashcards.undo"
TOKEN_MAX_AGE = 24 * 3600  # a card left on screen for a day is shown afresh
MAX_COUNTED_DURATION_MS = 10 * 60 * 1000  # time on one card beyond this is a break, not study
RATING_REFUSED = "A grade is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)."


class GradeRefused(Exception):
    """The grade cannot be applied; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        self.message = message
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class GradeResult:
    applied: bool  # False: this exact grade was already applied (a repeat), nothing changed
    review: Review | None = None
    lesson_id: int | None = None  # the graded card's lesson


# Tokens -------------------------------------------------------------------------------------


def grade_token(*, user_id: int, prompt_id: int, version: int, shown_at: dt.datetime) -> str:
    """Signed: who may grade, which prompt, which state of it, and when it was shown."""
    payload = {"u": user_id, "p": prompt_id, "v": version, "t": int(shown_at.timestamp() * 1000)}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


@dataclass(frozen=True)
class GradeTicket:
    prompt_id: int
    version: int
    shown_at: dt.datetime


def read_grade_token(token: str, *, user_id: int) -> GradeTicket:
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise GradeRefused("This card was shown too long ago; here it is again.") from None
    except signing.BadSignature:
        raise GradeRefused("That grade did not come from a card shown to you.") from None
    if payload.get("u") != user_id:
        raise GradeRefused("That card is not in your study session.", status=404)
    return GradeTicket(
        prompt_id=int(payload["p"]),
        version=int(payload["v"]),
        shown_at=dt.datetime.fromtimestamp(payload["t"] / 1000, tz=dt.UTC),
    )


def undo_token(*, user_id: int, review_id: int) -> str:
    return signing.dumps({"u": user_id, "r": review_id}, salt=UNDO_SALT)


# Settings -----------------------------------------------------------------------------------


def settings_for(user) -> StudySettings:
    """The learner's settings; defaults (unsaved) until they first change them.

    Kept on the user object for the rest of the request: a grade and the next card both
    need them.
    """
    cached = getattr(user, "_study_settings", None)
    if cached is None:
        cached = StudySettings.objects.filter(user=user).first() or StudySettings(user=user)
        user._study_settings = cached
    return cached


def scheduler_for(
    study_settings: StudySettings, *, now: dt.datetime | None = None, fuzz: bool | None = None
):
    """FSRS for this learner. Intervals are fuzzed in use; tests turn that off by setting.

    Given `now`, intervals also stop short of the learner's exam day (see `interval_cap`).
    """
    maximum = study_settings.maximum_interval
    if now is not None:
        today = local_date(now, study_settings.time_zone)
        maximum = interval_cap(maximum, study_settings.exam_date, today)
    return make_scheduler(
        desired_retention=study_settings.desired_retention,
        maximum_interval=maximum,
        fuzz=django_settings.FLASHCARDS_FUZZ if fuzz is None else fuzz,
    )


# Grading ------------------------------------------------------------------------------------


@transaction.atomic
def grade_submit(*, user, token: str, rating: int, now: dt.datetime | None = None) -> GradeResult:
    """Apply one grade, exactly once.

    The token names the prompt and the version of the learner's state it was shown at. The
    state row is locked (SQLite: the IMMEDIATE transaction holds the write lock; PostgreSQL:
    SELECT ... FOR UPDATE), so concurrent grades of one prompt queue up; every grade after the
    first finds a newer version and is recognised as a repeat, changing nothing.
    """
    now = now or timezone.now()
    if rating not in Review.Rating.values:
        raise GradeRefused(RATING_REFUSED)
    ticket = read_grade_token(token, user_id=user.pk)
    found = (
        Prompt.objects.live()
        .filter(pk=ticket.prompt_id)
        .values_list("id", "card__lesson_id")
        .first()
    )
    if found is None:
        raise GradeRefused("That card is no longer studied.", status=404)
    prompt_id, lesson_id = found

    state = PromptState.objects.select_for_update().filter(user=user, prompt_id=prompt_id).first()
    if (state.version if state else 0) != ticket.version:
        return GradeResult(applied=False)

    before = Memory.from_row(state) if state else None
    after = review(before, rating, now, scheduler_for(settings_for(user), now=now), prompt_id)
    if state is None:
        state = PromptState(user=user, prompt_id=prompt_id)
        store_memory(state, after)
        state.version = 1
        try:
            with transaction.atomic():
                state.save()
        except IntegrityError:
            # Another request created this learner's first state for the prompt meanwhile:
            # that request applied this grade.
            return GradeResult(applied=False)
    else:
        store_memory(state, after)
        state.version = ticket.version + 1
        state.save()
    elapsed = int((now - ticket.shown_at).total_seconds() * 1000)
    logged = review_entry(
        user=user, prompt_id=prompt_id, rating=rating, reviewed_at=now, before=before,
        after=after, duration_ms=min(max(elapsed, 0), MAX_COUNTED_DURATION_MS),
    )  # fmt: skip
    logged.save()
    return GradeResult(applied=True, review=logged, lesson_id=lesson_id)


def review_entry(
    *, user, prompt_id: int, rating: int, reviewed_at: dt.datetime, before: Memory | None,
    after: Memory, duration_ms: int | None,
) -> Review:  # fmt: skip
    """The review log row for one grade (unsaved): the rating and the memory before and after."""
    return Review(
        user=user,
        prompt_id=prompt_id,
        rating=rating,
        reviewed_at=reviewed_at,
        duration_ms=duration_ms,
        interval_days=interval_days(before),
        state_before=before.state if before else None,
        state_after=after.state,
        before=before.to_json() if before else None,
        after=after.to_json(),
    )


@transaction.atomic
def grade_undo(*, user, token: str) -> Review:
    """Take back the learner's most recent grade: restore the state before it, drop its log row."""
    try:
        payload = signing.loads(token, salt=UNDO_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise GradeRefused("There is nothing to undo.") from None
    if payload.get("u") != user.pk:
        raise GradeRefused("There is nothing of yours to undo.", status=404)
    latest = Review.objects.filter(user=user).order_by("-reviewed_at", "-id").first()
    if latest is None or latest.pk != payload["r"]:
        raise GradeRefused("Only your most recent grade can be undone.")
    state = PromptState.objects.select_for_update().get(user=user, prompt_id=latest.prompt_id)
    if latest.before is None:
        state.delete()  # the prompt was new before that grade, and is new again
    else:
        store_memory(state, Memory.from_json(latest.before))
        state.version += 1  # never reuse a version: the undone grade's token stays spent
        state.save()
    latest.delete()
    return latest


def store_memory(state: PromptState, memory: Memory) -> None:
    """Copy FSRS's scheduling fields and the counters from `memory` onto the state row."""
    for name in Memory.__dataclass_fields__:
        setattr(state, name, getattr(memory, name))


@transaction.atomic
def states_rebuild(*, user) -> int:
    """Recompute every PromptState of the learner from the review log alone.

    Ratings are replayed through FSRS in order; each prompt then takes the due date its last
    review actually gave (FSRS fuzzes intervals at random, so replaying cannot reproduce it).
    Returns the number of states written.
    """
    scheduler = scheduler_for(settings_for(user), fuzz=False)
    PromptState.objects.filter(user=user).delete()
    reviews = Review.objects.filter(user=user).order_by("prompt_id", "reviewed_at", "id")
    states = []
    for prompt_id, group in groupby(reviews.iterator(), key=lambda r: r.prompt_id):
        memory = None
        count = 0
        last = None
        for last in group:
            memory = review(memory, last.rating, last.reviewed_at, scheduler, prompt_id)
            count += 1
        memory = with_due(memory, Memory.from_json(last.after).due)
        state = PromptState(user=user, prompt_id=prompt_id, version=count)
        store_memory(state, memory)
        states.append(state)
    PromptState.objects.bulk_create(states)
    return len(states)


# Cards --------------------------------------------------------------------------------------


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
        Problem(f"card '{spec.front[:40]}': section '#{spec.section}' is not a heading of "
                f"lesson '{lesson.slug}'", spec.line)
        for spec in specs
        if spec.section and spec.section not in sections
    ]  # fmt: skip
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
            Prompt.objects.create(card=card, ordinal=spec.ordinal, front_html=front_html,
                                  back_html=back_html, content_hash=spec.content_hash)  # fmt: skip
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
