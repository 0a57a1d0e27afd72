"""Practice tests: starting one, saving the learner's picks, submitting it, and sending the
questions missed to the learner's study queue."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from flashcards.card_actions import DayRange, cards_reschedule
from flashcards.grading import review_entry, scheduler_for, store_memory
from flashcards.models import Prompt, PromptState, Review
from flashcards.scheduling import review
from flashcards.selectors import study_settings_for, version_of
from practice.answers import answer_check, answer_log
from practice.models import Answer, Attempt, AttemptQuestion
from practice.selectors import PracticeScope, latest_right_by_prompt, scope_question_ids

# A second start of the same test within this many seconds resumes the first (a double
# click, or a POST replayed by the back button) rather than starting another.
RESTART_WINDOW = dt.timedelta(seconds=10)


def questions_draw(
    prompt_ids: Iterable[int], latest_right: dict[int, bool], count: int, rng: random.Random
) -> list[int]:
    """Up to `count` of `prompt_ids`, in the order the test asks them.

    The weighting: questions the learner needs most come first. Those whose latest answer was
    wrong and those never answered are one group, drawn before any question whose latest
    answer was right; within each group the draw is at random. So a test smaller than the pool
    holds right-answered questions only when every wrong and unseen one is already in it. The
    chosen questions are then shuffled, so the ones answered right are not all at the end.
    """
    ids = sorted(set(prompt_ids))  # a fixed order, so a seeded `rng` draws the same test
    needed = [pk for pk in ids if not latest_right.get(pk, False)]
    known = [pk for pk in ids if latest_right.get(pk, False)]
    rng.shuffle(needed)
    rng.shuffle(known)
    chosen = (needed + known)[:count]
    rng.shuffle(chosen)
    return chosen


@transaction.atomic
def attempt_start(
    *,
    user,
    scope: PracticeScope,
    count: int,
    timed: bool,
    now: dt.datetime,
    seconds_per_question: int,
    rng: random.Random | None = None,
) -> Attempt | None:
    """A new test of up to `count` questions from `scope`, fixed now (its AttemptQuestion
    rows), or None when the scope has no question to ask.

    Starting is idempotent for a moment: an open test of the same scope started within
    RESTART_WINDOW is returned instead of a second one (a double click on Start posts twice).
    The learner's row is locked first, so two such posts racing queue up and the second
    finds the first's test (FOR NO KEY UPDATE, as grade_submit takes it, for the same
    reason)."""
    users = get_user_model().objects.select_for_update(no_key=True)
    users.filter(pk=user.pk).values("pk").first()
    recent = (
        Attempt.objects.filter(
            user=user,
            scope=scope.key,
            submitted_at__isnull=True,
            started_at__gte=now - RESTART_WINDOW,
            started_at__lte=now,
        )
        .order_by("-started_at", "-id")
        .first()
    )
    if recent is not None:
        return recent
    pool = scope_question_ids(scope, user)
    if not pool:
        return None
    chosen = questions_draw(pool, latest_right_by_prompt(user, pool), count, rng or random.Random())
    asked = Prompt.objects.in_bulk(chosen)
    seconds = seconds_per_question if timed else None
    attempt = Attempt.objects.create(
        user=user,
        scope=scope.key,
        title=scope.title,
        seconds_per_question=seconds,
        started_at=now,
        deadline=now + dt.timedelta(seconds=seconds * len(chosen)) if seconds else None,
        question_count=len(chosen),
    )
    # Each question as it reads now, kept: the test asks and grades it so to the end.
    AttemptQuestion.objects.bulk_create(
        AttemptQuestion(
            attempt=attempt,
            prompt_id=prompt_id,
            position=position,
            content_hash=asked[prompt_id].content_hash,
            stem_html=asked[prompt_id].front_html,
            options=asked[prompt_id].options,
        )
        for position, prompt_id in enumerate(chosen, start=1)
    )
    return attempt


def is_expired(attempt: Attempt, now: dt.datetime) -> bool:
    """A timed test past its deadline: it takes no more answers."""
    return attempt.deadline is not None and now >= attempt.deadline


@transaction.atomic
def answer_save(
    *, attempt: Attempt, position: int, picks: Iterable[str], flagged: bool, now: dt.datetime
) -> list[int] | None:
    """Keep the learner's picks and flag on one question of an open test, and return the
    test's question positions in order (where the learner may go next; a card deleted since
    the start leaves a gap); None (nothing kept) once the test is submitted or its time is
    up. The attempt row is locked, so a save racing the submit either lands before it or is
    refused. A position with no question (its card deleted) raises DoesNotExist."""
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if locked.is_submitted or is_expired(locked, now):
        return None
    questions = {
        question.position: question
        for question in locked.questions.only("pk", "position", "options").order_by("position")
    }
    question = questions.get(position)
    if question is None:
        raise AttemptQuestion.DoesNotExist(f"No question {position} in this test.")
    question.chosen = answer_check(question, picks).chosen
    question.flagged = flagged
    question.save(update_fields=["chosen", "flagged"])
    return list(questions)


@transaction.atomic
def attempt_submit(*, attempt: Attempt, now: dt.datetime) -> Attempt:
    """Grade the test on the server and close it, in one transaction: each question's
    `is_right`, the answered ones logged (source "test"), the score and `submitted_at`.
    Submitting a submitted test changes nothing (the row is locked first, so two submits
    racing grade once)."""
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if locked.is_submitted:
        return locked
    questions = list(locked.questions.select_related("prompt"))
    right = 0
    for question in questions:
        # Graded on the question as the test asked it, whatever the card says now.
        checked = answer_check(question, question.chosen)
        question.is_right = bool(question.chosen) and checked.is_right
        right += question.is_right
        if question.chosen:
            answer_log(
                user=locked.user,
                prompt=question.prompt,
                checked=checked,
                content_hash=question.content_hash,
                source=Answer.Source.TEST,
                attempt=locked,
                now=now,
            )
    AttemptQuestion.objects.bulk_update(questions, ["is_right"])
    # A timed test submitted late (opened after its deadline) ends at the deadline.
    locked.submitted_at = min(now, locked.deadline) if locked.deadline else now
    locked.right_count = right
    locked.save(update_fields=["submitted_at", "right_count"])
    return locked


@dataclass(frozen=True)
class MissedQueued:
    """What "Add the N I missed to my study queue now" did."""

    made_due: int  # studied before: rescheduled to today
    learning: int  # never studied: graded Again as of the test, so in learning, due now
    already: bool = False  # pressed before for this test: nothing done this time


@transaction.atomic
def missed_to_study_queue(
    *, user, attempt: Attempt, now: dt.datetime, time_zone: str = "UTC"
) -> MissedQueued:
    """Put the questions missed in a submitted test in the learner's study queue now, once.

    A missed question the learner has studied gets today as its due date through
    `cards_reschedule`, "My cards"' set-due-date, so the change is a ManualChange like any
    reschedule and a rebuild of the states from the review log reaches it too.

    A missed question never studied has no schedule to change, and left new it would wait
    behind the daily new-card limit: the learner who tests before studying would get
    nothing. A wrong answer in a test is a failed recall, so it is logged as one: an Again
    grade at the time the test was submitted, through the grading machinery a first Again
    in a study session uses (the review log stays the source of truth, and
    `states_rebuild` reaches the same state). That puts it in learning, due a minute after
    the submit, that is now.

    The attempt row is locked and marked, so a second press (or a replayed POST) changes
    nothing and says so.
    """
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if locked.missed_queued_at is not None:
        return MissedQueued(0, 0, already=True)
    missed = list(
        locked.questions.filter(is_right=False)
        .filter(prompt__in=Prompt.objects.studyable(user))
        .values_list("prompt_id", flat=True)
    )
    studied = set(
        PromptState.objects.select_for_update()
        .filter(user=user, prompt_id__in=missed)
        .values_list("prompt_id", flat=True)
    )
    made_due = cards_reschedule(
        user=user,
        prompt_ids=[pk for pk in missed if pk in studied],
        days=DayRange(0, 0),
        now=now,
        time_zone=time_zone,
    )
    failed_at = locked.submitted_at or now
    scheduler = scheduler_for(study_settings_for(user), now=failed_at)
    states, reviews = [], []
    for prompt_id in (pk for pk in missed if pk not in studied):
        after = review(None, Review.Rating.AGAIN, failed_at, scheduler, prompt_id)
        state = PromptState(
            user=user, prompt_id=prompt_id, version=version_of(user, prompt_id, None) + 1
        )
        store_memory(state, after)
        states.append(state)
        reviews.append(
            review_entry(
                user=user,
                prompt_id=prompt_id,
                rating=Review.Rating.AGAIN,
                reviewed_at=failed_at,
                before=None,
                after=after,
                duration_ms=None,
            )
        )
    PromptState.objects.bulk_create(states)
    Review.objects.bulk_create(reviews)
    locked.missed_queued_at = now
    locked.save(update_fields=["missed_queued_at"])
    return MissedQueued(made_due, len(states))
