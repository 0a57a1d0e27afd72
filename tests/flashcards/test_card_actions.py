"""My cards' bulk actions: suspend and unsuspend through the marks, forget and reschedule
logged so that a rebuild from the log reaches the same states, and old tokens stay spent."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from flashcards.card_actions import (
    FORGET,
    RESCHEDULE,
    SUSPEND,
    UNSUSPEND,
    DayRange,
    cards_act,
    cards_forget,
    cards_reschedule,
    day_range_parse,
)
from flashcards.grading import CHANGED_SINCE, grade_submit, grade_undo, states_rebuild
from flashcards.models import Card, ManualChange, PromptMark, PromptState, Review, StudySettings
from flashcards.scheduling import Memory
from flashcards.tokens import GradeRefused
from tests.conftest import grade_now, make_card, make_user
from tests.flashcards.conftest import state_of, token_for

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def states(user) -> dict[int, tuple]:
    return {
        s.prompt_id: (Memory.from_row(s), s.version) for s in PromptState.objects.filter(user=user)
    }


def memories(user) -> dict[int, Memory]:
    return {pk: memory for pk, (memory, _) in states(user).items()}


@pytest.fixture
def studied(learner):
    """Three prompts, each graded twice over a few days."""
    prompts = [make_card().prompts.get() for _ in range(3)]
    for prompt in prompts:
        grade_now(learner, prompt, 3, NOW - dt.timedelta(days=10))
        grade_now(learner, prompt, 3, NOW - dt.timedelta(days=9))
    return prompts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", DayRange(7, 7)),
        (" 3 - 7 ", DayRange(3, 7)),
        ("0", DayRange(0, 0)),
        ("3–7", DayRange(3, 7)),
        ("36500", DayRange(36500, 36500)),
        ("7-3", None),
        ("36501", None),
        ("-3", None),
        ("1.5", None),
        ("", None),
        ("3-", None),
        ("٣", None),
    ],
)
def test_days_are_a_number_or_a_range(text, expected):
    assert day_range_parse(text) == expected


def test_suspend_and_unsuspend_go_through_the_marks(learner, studied):
    ids = [p.pk for p in studied[:2]]
    assert cards_act(user=learner, action=SUSPEND, prompt_ids=ids, now=NOW) == "2 cards suspended."
    assert set(
        PromptMark.objects.filter(suspended=True).values_list("prompt_id", flat=True)
    ) == set(ids)
    message = cards_act(user=learner, action=UNSUSPEND, prompt_ids=ids[:1], now=NOW)
    assert message == "1 card unsuspended."
    assert list(PromptMark.objects.values_list("prompt_id", flat=True)) == [ids[1]]


def test_ids_of_retired_or_unknown_prompts_are_ignored(learner, studied):
    Card.objects.filter(pk=studied[0].card_id).update(is_active=False)
    ids = [studied[0].pk, studied[1].pk, 999_999]
    assert cards_act(user=learner, action=SUSPEND, prompt_ids=ids, now=NOW) == "1 card suspended."


def test_forget_makes_studied_prompts_new_keeping_their_reviews(learner, studied):
    reviews = Review.objects.filter(user=learner).count()
    new = make_card().prompts.get()
    message = cards_act(user=learner, action=FORGET, prompt_ids=[studied[0].pk, new.pk], now=NOW)
    assert message == "1 card made new again. 1 card already new."
    assert state_of(learner, studied[0]) is None
    assert Review.objects.filter(user=learner).count() == reviews
    # The next grade starts it afresh, as a new card (and counts as one of today's new).
    result = grade_submit(
        user=learner, token=token_for(learner, studied[0], version=3), rating=3, now=NOW
    )
    assert result.applied
    assert result.review.state_before is None
    assert state_of(learner, studied[0]).reps == 1


def test_a_token_shown_before_a_forget_is_spent(learner, studied):
    prompt = studied[0]
    shown = token_for(learner, prompt, version=state_of(learner, prompt).version)
    cards_forget(user=learner, prompt_ids=[prompt.pk], now=NOW)
    assert not grade_submit(user=learner, token=shown, rating=3, now=NOW).applied
    assert state_of(learner, prompt) is None


def test_forget_is_the_learners_own(learner, studied):
    other = make_user(username="other")
    grade_now(other, studied[0], 3, NOW - dt.timedelta(days=1))
    assert cards_forget(user=other, prompt_ids=[studied[0].pk], now=NOW) == 1
    assert state_of(learner, studied[0]) is not None
    assert not ManualChange.objects.filter(user=learner).exists()


def test_reschedule_sets_the_due_day_and_leaves_new_prompts_alone(learner, studied):
    new = make_card().prompts.get()
    before = memories(learner)
    message = cards_act(
        user=learner,
        action=RESCHEDULE,
        prompt_ids=[studied[0].pk, new.pk],
        now=NOW,
        days=DayRange(3, 3),
        time_zone="Asia/Tokyo",
    )
    assert message.startswith("1 card rescheduled. 1 new card left as new")
    # Midnight in Tokyo, three days from its today (2 March, 21:00 there).
    assert state_of(learner, studied[0]).due == dt.datetime(2026, 3, 4, 15, tzinfo=dt.UTC)
    assert memories(learner)[studied[0].pk] == Memory.from_row(state_of(learner, studied[0]))
    assert state_of(learner, new) is None
    # Nothing else of the memory changed.
    after = memories(learner)[studied[0].pk]
    assert after.stability == before[studied[0].pk].stability


def test_a_range_spreads_the_due_days_across_it(learner):
    StudySettings.objects.create(user=learner, new_per_day=100)
    prompts = [make_card().prompts.get() for _ in range(30)]
    for prompt in prompts:
        grade_now(learner, prompt, 4, NOW - dt.timedelta(days=1))
    cards_reschedule(
        user=learner,
        prompt_ids=[p.pk for p in prompts],
        days=DayRange(2, 5),
        now=NOW,
        rng=random.Random(1),
    )
    days = {
        (s.due - dt.datetime(2026, 3, 2, tzinfo=dt.UTC)).days for s in PromptState.objects.all()
    }
    assert days == {2, 3, 4, 5}


def test_zero_days_makes_a_card_due_now(learner, studied):
    cards_reschedule(user=learner, prompt_ids=[studied[0].pk], days=DayRange(0, 0), now=NOW)
    assert state_of(learner, studied[0]).due <= NOW


def test_a_rebuild_reaches_the_same_states_after_forgets_and_reschedules(learner, studied):
    first, second, third = studied
    cards_forget(user=learner, prompt_ids=[first.pk, second.pk], now=NOW - dt.timedelta(days=5))
    grade_now(learner, second, 3, NOW - dt.timedelta(days=4))  # studied afresh after its forget
    cards_reschedule(user=learner, prompt_ids=[second.pk, third.pk], days=DayRange(20, 20), now=NOW)
    original = states(learner)
    assert first.pk not in original
    assert original[second.pk][0].reps == 1

    PromptState.objects.filter(user=learner).update(stability=1.0, due=NOW)
    assert states_rebuild(user=learner) == 2
    assert states(learner) == original


def test_a_grade_after_a_reschedule_sets_the_due_date_again_and_a_rebuild_agrees(learner, studied):
    prompt = studied[0]
    version = state_of(learner, prompt).version
    cards_reschedule(user=learner, prompt_ids=[prompt.pk], days=DayRange(40, 40), now=NOW)
    # The version did not move: a card on screen may still be graded.
    later = NOW + dt.timedelta(hours=1)
    assert grade_submit(
        user=learner, token=token_for(learner, prompt, version), rating=3, now=later
    ).applied
    original = states(learner)
    assert original[prompt.pk][0].due < NOW + dt.timedelta(days=40)
    states_rebuild(user=learner)
    assert states(learner) == original


def test_a_grade_changed_since_in_my_cards_cannot_be_undone(learner, studied):
    latest = Review.objects.filter(user=learner).latest("reviewed_at", "id")
    cards_reschedule(user=learner, prompt_ids=[latest.prompt_id], days=DayRange(5, 5), now=NOW)
    with pytest.raises(GradeRefused) as refused:
        grade_undo(user=learner, review_id=latest.pk)
    assert refused.value.message == CHANGED_SINCE
    assert Review.objects.filter(pk=latest.pk).exists()


def test_a_rebuild_keeps_versions_so_old_tokens_stay_spent(learner, studied):
    prompt = studied[0]
    grade_now(learner, prompt, 3, NOW)
    latest = Review.objects.filter(user=learner).latest("reviewed_at", "id")
    grade_undo(user=learner, review_id=latest.pk)
    version = state_of(learner, prompt).version  # three grades and an undo: 4
    assert version == 4
    states_rebuild(user=learner)
    assert state_of(learner, prompt).version == version
    stale = token_for(learner, prompt, version=2)
    assert not grade_submit(user=learner, token=stale, rating=3, now=NOW).applied
