"""Writes to a learner's study state: grading, undoing a grade, rebuilding states from the log."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass
from itertools import groupby

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from flashcards.cards import QUESTION
from flashcards.days import local_date
from flashcards.models import (
    ManualChange,
    NewAgain,
    Prompt,
    PromptState,
    Review,
    StudySettings,
    live_prompts,
)
from flashcards.scheduling import (
    Memory,
    interval_cap,
    interval_days,
    make_scheduler,
    review,
    with_due,
)
from flashcards.selectors import Scope, new_left_today, study_settings_for, version_of
from flashcards.study_questions import UNANSWERED, answered_on
from flashcards.tokens import GradeRefused, read_grade_token
from portal.rows import ID_PLACEHOLDER, CompiledQuery, CompiledUpdate, moment_stand_in

MAX_COUNTED_DURATION_MS = 10 * 60 * 1000  # time on one card beyond this is a break, not study
RATING_REFUSED = "A grade is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)."
NEW_LIMIT_REACHED = (
    "You had already started today's new cards (in another tab, perhaps): that card was not "
    "graded, and stays new for another day."
)

CHANGED_SINCE = "That card was changed in My cards after this grade, which can no longer be undone."

# A grade whose card had moved on: a tab left open on a card graded in another tab, or a
# second submit of the same grade. Nothing changed, and the learner is told so.
ALREADY_GRADED = (
    "This card was already graded in another tab: this grade was not counted. "
    "Here is your current card."
)


@dataclass(frozen=True)
class GradeResult:
    applied: bool  # False: this exact grade was already applied (a repeat), nothing changed
    new_limit_reached: bool = False  # not applied: a new card, and today's new cards are done
    review: Review | None = None
    lesson_id: int | None = None  # the graded card's lesson

    @property
    def notice(self) -> str:
        """What to tell the learner above the next card: why this grade was not applied."""
        if self.applied:
            return ""
        return NEW_LIMIT_REACHED if self.new_limit_reached else ALREADY_GRADED


def scheduler_for(
    study_settings: StudySettings, *, now: dt.datetime | None = None, fuzz: bool | None = None
):
    """FSRS for this learner, with their own parameters when they have fitted better ones.
    Intervals are fuzzed in use; tests turn that off by setting.

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
        parameters=study_settings.fsrs_parameters,
    )


# A grade's reads, their SQL compiled once (portal.rows; bench/history.md, issue 20). The
# learner's state of the prompt, locked, with its card's lesson and kind, if the prompt is still
# studied: one round trip for a card studied before. Only when that finds nothing, the prompt
# alone: new to the learner, or no longer studied. FOR UPDATE OF the state alone: the prompt
# and card rows are only read.
_LOCKED_LIVE_STATE = CompiledQuery(
    lambda user_id, prompt_id: (
        PromptState.objects.select_for_update(of=("self",))
        .filter(live_prompts("prompt__"), user_id=user_id, prompt_id=prompt_id)
        .annotate(graded_lesson_id=F("prompt__card__lesson"), graded_kind=F("prompt__card__kind"))
    ),
    user_id=ID_PLACEHOLDER,
    prompt_id=ID_PLACEHOLDER + 1,
)
_LIVE_PROMPT = CompiledQuery(
    lambda prompt_id: (
        Prompt.objects.live()
        .filter(pk=prompt_id)
        .order_by()
        .values_list("card__lesson", "card__kind")
    ),
    prompt_id=ID_PLACEHOLDER,
)
# A grade's write to a state studied before: its new memory and version, the UPDATE compiled
# once too. Its columns are Memory's fields (`store_memory`) and the version.
_STATE_MOVED = CompiledUpdate(
    lambda state_id, version, **memory: (
        PromptState.objects.filter(pk=state_id),
        {**memory, "version": version},
    ),
    state_id=ID_PLACEHOLDER,
    version=ID_PLACEHOLDER + 1,
    state=ID_PLACEHOLDER + 2,
    step=ID_PLACEHOLDER + 3,
    stability=-1_250_000_000.5,
    difficulty=-1_500_000_000.5,
    due=moment_stand_in(1),
    last_review=moment_stand_in(2),
    reps=ID_PLACEHOLDER + 4,
    lapses=ID_PLACEHOLDER + 5,
)


@transaction.atomic
def grade_submit(
    *,
    user,
    token: str,
    rating: int,
    study_settings: StudySettings | None = None,
    now: dt.datetime | None = None,
    scope: Scope | None = None,
) -> GradeResult:
    """Apply one grade, exactly once.

    The token names the prompt and the version of the learner's state it was shown at. The
    state row is locked (SQLite: the IMMEDIATE transaction holds the write lock; PostgreSQL:
    SELECT ... FOR UPDATE), so concurrent grades of one prompt queue up; every grade after the
    first finds a newer version and is recognised as a repeat, changing nothing.

    A new prompt's first grade is refused (not applied, `new_limit_reached`) once the learner
    has started today's allowance of new prompts. Every page shows new prompts only within
    the allowance, but tabs opened earlier each show one: the allowance is counted again
    here, under a lock on the learner's row that queues their new-prompt grades.

    `scope`: what the learner is studying (the grade form posts it): a scope's own limit and
    today's extra cards in it count (`flashcards.allowance.new_cards_left`), as on the page.

    `study_settings`: the learner's, when the caller has read them already (the grade view
    shows the next card with them too); otherwise they are read here.
    """
    now = now or timezone.now()
    if rating not in Review.Rating.values:
        raise GradeRefused(RATING_REFUSED)
    ticket = read_grade_token(token, user_id=user.pk)
    prompt_id = ticket.prompt_id
    state = next(iter(_LOCKED_LIVE_STATE.objects(user_id=user.pk, prompt_id=prompt_id)), None)
    if state is not None:
        lesson_id, kind = state.graded_lesson_id, state.graded_kind
    else:
        found = _LIVE_PROMPT.rows(prompt_id=prompt_id)
        if not found:
            raise GradeRefused("That card is no longer studied.", status=404)
        lesson_id, kind = found[0]
    if version_of(user, prompt_id, state) != ticket.version:
        return GradeResult(applied=False)
    if kind == QUESTION and answered_on(user, ticket) is None:
        # A question is graded from its checked back: the token of a front that was never
        # answered would log a review with no answer behind it.
        raise GradeRefused(UNANSWERED)

    before = Memory.from_row(state) if state else None
    if study_settings is None:
        study_settings = study_settings_for(user)
    if state is None:
        # The user row, as it always exists (a settings row may not). FOR NO KEY UPDATE: other
        # grades' inserts hold KEY SHARE on it (their foreign key), which FOR UPDATE would
        # wait for, and deadlock. SQLite's IMMEDIATE transaction serialises writers already.
        users = get_user_model().objects.select_for_update(no_key=True)
        users.filter(pk=user.pk).values("pk").first()
        if not new_left_today(user, study_settings, now, scope):
            return GradeResult(applied=False, new_limit_reached=True)
    after = review(before, rating, now, scheduler_for(study_settings, now=now), prompt_id)
    if state is None:
        state = PromptState(user=user, prompt_id=prompt_id)
        store_memory(state, after)
        state.version = ticket.version + 1
        try:
            with transaction.atomic():
                state.save()
        except IntegrityError:
            # Another request created this learner's first state for the prompt meanwhile:
            # that request applied this grade.
            return GradeResult(applied=False)
    else:
        _STATE_MOVED.run(state_id=state.pk, version=ticket.version + 1, **asdict(after))
    elapsed = int((now - ticket.shown_at).total_seconds() * 1000)
    logged = review_entry(
        user=user,
        prompt_id=prompt_id,
        rating=rating,
        reviewed_at=now,
        before=before,
        after=after,
        duration_ms=min(max(elapsed, 0), MAX_COUNTED_DURATION_MS),
    )
    logged.save()
    return GradeResult(applied=True, review=logged, lesson_id=lesson_id)


def review_entry(
    *,
    user,
    prompt_id: int,
    rating: int,
    reviewed_at: dt.datetime,
    before: Memory | None,
    after: Memory,
    duration_ms: int | None,
) -> Review:
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


NOT_LATEST = "Only your most recent grade can be undone."


@transaction.atomic
def grade_undo(*, user, review_id: int) -> Review:
    """Take back the learner's most recent grade: restore the state before it, drop its log row.

    Locks first, then checks. The learner's row (FOR NO KEY UPDATE, as `grade_submit` takes it
    for a new prompt's grade) queues their undos behind one another and behind new-prompt
    grades, whose daily allowance an undone first grade gives back. The prompt's state row
    (FOR UPDATE) queues this undo with grades of the same prompt: once it is held, no grade of
    the prompt can land between "this review is the latest" and the restore, so the restored
    state is always the one before the log's last review of the prompt, and rebuilding states
    from the log (`states_rebuild`) gives the stored ones. SQLite's IMMEDIATE transaction
    serialises all of this already.
    """
    users = get_user_model().objects.select_for_update(no_key=True)
    users.filter(pk=user.pk).values("pk").first()
    prompt_id = (
        Review.objects.filter(user=user, pk=review_id).values_list("prompt_id", flat=True).first()
    )
    if prompt_id is None:
        raise GradeRefused(NOT_LATEST)
    state = PromptState.objects.select_for_update().filter(user=user, prompt_id=prompt_id).first()
    latest = Review.objects.filter(user=user).order_by("-reviewed_at", "-id").first()
    if latest is None or latest.pk != review_id:
        raise GradeRefused(NOT_LATEST)
    # Restoring the state before the grade would undo a forget or reschedule made since in
    # "My cards" too, which the log could not then replay (`states_rebuild`).
    changed = ManualChange.objects.filter(
        user=user, prompt_id=latest.prompt_id, at__gte=latest.reviewed_at
    )
    if changed.exists():
        raise GradeRefused(CHANGED_SINCE)
    if state is None:
        raise GradeRefused(NOT_LATEST)
    if latest.before is None:
        # The prompt was new before that grade, and is new again; its version lives on.
        NewAgain.objects.update_or_create(
            user=user, prompt_id=latest.prompt_id, defaults={"version": state.version + 1}
        )
        state.delete()
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
    """Recompute every PromptState of the learner from the review log and their manual changes.

    Ratings are replayed through FSRS in order; each prompt then takes the due date its last
    review actually gave (FSRS fuzzes intervals at random, so replaying cannot reproduce it).
    Changes made in "My cards" (`ManualChange`) are replayed in their place among the reviews:
    a forget makes the prompt new (no state until its next review), a reschedule sets the due
    date until the next review. A state keeps its version if that is higher than the one the
    events give, so a token issued before the rebuild stays spent. Returns the number of states
    written.
    """
    scheduler = scheduler_for(study_settings_for(user), fuzz=False)
    versions = dict(PromptState.objects.filter(user=user).values_list("prompt_id", "version"))
    PromptState.objects.filter(user=user).delete()
    reviews = Review.objects.filter(user=user).order_by("prompt_id", "reviewed_at", "id")
    changes = defaultdict(list)
    for change in ManualChange.objects.filter(user=user).order_by("at", "id"):
        changes[change.prompt_id].append(change)
    states = []
    for prompt_id, group in groupby(reviews.iterator(), key=lambda r: r.prompt_id):
        memory, version = _replay(list(group), changes.pop(prompt_id, []), scheduler, prompt_id)
        if memory is None:
            continue  # forgotten since its last review: new again
        state = PromptState(
            user=user, prompt_id=prompt_id, version=max(version, versions.get(prompt_id, 0))
        )
        store_memory(state, memory)
        states.append(state)
    PromptState.objects.bulk_create(states)
    return len(states)


def _replay(reviews: list[Review], changes: list, scheduler, prompt_id: int):
    """A prompt's memory after its reviews and manual changes, in time order (a change made
    at the same moment as a review follows it), and the version they bring it to: one for
    each review and each forget (a reschedule leaves the version as it is)."""
    replayed = replay_prompt(reviews, changes, scheduler, prompt_id)
    return replayed.memory, replayed.version


@dataclass(frozen=True)
class ReplayedPrompt:
    memory: Memory | None  # None: new (never reviewed, or forgotten since)
    version: int
    # Each review in time order, with the memory before it (None: new) and after it.
    steps: list[tuple[Review, Memory | None, Memory]]


def replay_prompt(
    reviews: list[Review], changes: list, scheduler, prompt_id: int, *, due_of=None
) -> ReplayedPrompt:
    """Replay one prompt's reviews and manual changes through FSRS in time order.

    Each review takes the due date `due_of(review, before, after)` gives; by default the one
    stored in its log row, which is the date the learner was given (FSRS fuzzes intervals at
    random, so replaying cannot reproduce it). An unsaved review (no pk yet: one being added,
    as decks/reviews.py adds Anki's) sorts after saved ones at the same moment, as its row
    will once saved."""
    events = sorted(
        [(r.reviewed_at, 0, r) for r in reviews] + [(c.at, 1, c) for c in changes],
        key=lambda event: (event[0], event[1], event[2].pk or _UNSAVED),
    )
    memory = None
    version = 0
    steps = []
    for _, _, event in events:
        if isinstance(event, Review):
            before = memory
            memory = review(memory, event.rating, event.reviewed_at, scheduler, prompt_id)
            if due_of is None:
                due = Memory.from_json(event.after).due
            else:
                due = due_of(event, before, memory)
            memory = with_due(memory, due)
            steps.append((event, before, memory))
            version += 1
        elif event.kind == ManualChange.Kind.FORGET:
            memory = None
            version += 1
        elif memory is not None:
            memory = with_due(memory, event.due)
    return ReplayedPrompt(memory, version, steps)


_UNSAVED = float("inf")
