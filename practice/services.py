"""Practice tests: starting one, saving the learner's picks, submitting it, and sending the
questions missed to the learner's study queue."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from django.db import transaction

from flashcards.card_actions import DayRange, cards_reschedule
from flashcards.models import Prompt, PromptState
from practice.answers import answer_check, answer_log
from practice.models import Answer, Attempt, AttemptQuestion
from practice.selectors import PracticeScope, latest_right_by_prompt, scope_question_ids


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
    rows), or None when the scope has no question to ask."""
    pool = scope_question_ids(scope)
    if not pool:
        return None
    chosen = questions_draw(pool, latest_right_by_prompt(user, pool), count, rng or random.Random())
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
    AttemptQuestion.objects.bulk_create(
        AttemptQuestion(attempt=attempt, prompt_id=prompt_id, position=position)
        for position, prompt_id in enumerate(chosen, start=1)
    )
    return attempt


def is_expired(attempt: Attempt, now: dt.datetime) -> bool:
    """A timed test past its deadline: it takes no more answers."""
    return attempt.deadline is not None and now >= attempt.deadline


@transaction.atomic
def answer_save(
    *, attempt: Attempt, position: int, picks: Iterable[str], flagged: bool, now: dt.datetime
) -> bool:
    """Keep the learner's picks and flag on one question of an open test; False (nothing
    kept) once the test is submitted or its time is up. The attempt row is locked, so a save
    racing the submit either lands before it or is refused."""
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if locked.is_submitted or is_expired(locked, now):
        return False
    question = AttemptQuestion.objects.select_related("prompt").get(
        attempt=locked, position=position
    )
    question.chosen = answer_check(question.prompt, picks).chosen
    question.flagged = flagged
    question.save(update_fields=["chosen", "flagged"])
    return True


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
        checked = answer_check(question.prompt, question.chosen)
        question.is_right = bool(question.chosen) and checked.is_right
        right += question.is_right
        if question.chosen:
            answer_log(
                user=locked.user,
                prompt=question.prompt,
                checked=checked,
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


@transaction.atomic
def missed_to_study_queue(
    *, user, attempt: Attempt, now: dt.datetime, time_zone: str = "UTC"
) -> tuple[int, int]:
    """Make the questions missed in a submitted test due now in the learner's study queue;
    returns (made due, left new).

    A missed question the learner has studied gets today as its due date through
    `cards_reschedule`, "My cards"' set-due-date, so the change is a ManualChange like any
    reschedule and a rebuild of the states from the review log reaches it too. A missed
    question never studied has no schedule to change: it stays a new card, served with the
    learner's new cards (its lesson's study link shows it); nothing is written for it.
    """
    missed = list(
        attempt.questions.filter(is_right=False)
        .filter(prompt__in=Prompt.objects.studyable())
        .values_list("prompt_id", flat=True)
    )
    studied = set(
        PromptState.objects.filter(user=user, prompt_id__in=missed).values_list(
            "prompt_id", flat=True
        )
    )
    made_due = cards_reschedule(
        user=user,
        prompt_ids=[pk for pk in missed if pk in studied],
        days=DayRange(0, 0),
        now=now,
        time_zone=time_zone,
    )
    return made_due, len(missed) - made_due
