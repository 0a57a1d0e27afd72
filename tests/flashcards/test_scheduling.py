"""Scheduling is the fsrs package's: our states and intervals match it exactly (fuzz off)."""

from __future__ import annotations

import datetime as dt

import pytest
from fsrs import Card, Rating, Scheduler

from flashcards.scheduling import (
    Memory,
    format_interval,
    make_scheduler,
    preview_intervals,
    retrievability,
    review,
)

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
# Grades and the minutes after T0 at which they are given.
HISTORY = [
    (3, 0),
    (3, 10),
    (3, 60 * 24 * 3),
    (1, 60 * 24 * 20),
    (3, 60 * 24 * 20 + 10),
    (4, 60 * 24 * 40),
]


def test_states_after_each_review_match_fsrs():
    ours = None
    theirs = Card(card_id=7, due=T0)
    scheduler = Scheduler(desired_retention=0.9, enable_fuzzing=False)
    for rating, minutes in HISTORY:
        when = T0 + dt.timedelta(minutes=minutes)
        ours = review(ours, rating, when, make_scheduler(), 7)
        theirs, _ = scheduler.review_card(theirs, Rating(rating), review_datetime=when)
        assert (
            ours.state,
            ours.step,
            ours.stability,
            ours.difficulty,
            ours.due,
            ours.last_review,
        ) == (
            theirs.state.value,
            theirs.step,
            theirs.stability,
            theirs.difficulty,
            theirs.due,
            theirs.last_review,
        )
    assert ours.reps == len(HISTORY)
    assert ours.lapses == 1  # the Again given in the Review state


def test_previewed_intervals_are_what_fsrs_would_give():
    memory = review(None, 3, T0, make_scheduler(), 1)
    memory = review(memory, 3, T0 + dt.timedelta(minutes=10), make_scheduler(), 1)
    now = T0 + dt.timedelta(days=3)
    intervals = preview_intervals(memory, now, make_scheduler(desired_retention=0.85), 1)
    scheduler = Scheduler(desired_retention=0.85, enable_fuzzing=False)
    for rating in (1, 2, 3, 4):
        expected, _ = scheduler.review_card(memory.to_fsrs(1), Rating(rating), review_datetime=now)
        assert intervals[rating] == expected.due - now


def test_maximum_interval_caps_the_schedule():
    memory = None
    for day in (0, 1, 10, 60, 300):
        memory = review(
            memory, 4, T0 + dt.timedelta(days=day), make_scheduler(maximum_interval=30), 1
        )
    assert memory.due - memory.last_review <= dt.timedelta(days=30)


def test_new_cards_show_the_learning_steps():
    intervals = preview_intervals(None, T0, make_scheduler(), 1)
    assert [format_interval(intervals[r]) for r in (1, 2, 3, 4)] == ["1m", "6m", "10m", "8d"]


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (dt.timedelta(seconds=20), "1m"),
        (dt.timedelta(minutes=10), "10m"),
        (dt.timedelta(hours=5), "5h"),
        (dt.timedelta(days=3), "3d"),
        (dt.timedelta(days=61), "2mo"),
        (dt.timedelta(days=365), "1y"),
        (dt.timedelta(days=550), "1.5y"),
    ],
)
def test_interval_labels(delta, text):
    assert format_interval(delta) == text


def test_retrievability_is_fsrs_and_zero_for_new():
    memory = review(None, 3, T0, make_scheduler(), 1)
    memory = review(memory, 3, T0 + dt.timedelta(minutes=10), make_scheduler(), 1)
    later = T0 + dt.timedelta(days=9)
    expected = Scheduler().get_card_retrievability(memory.to_fsrs(1), later)
    assert retrievability(memory, later, make_scheduler()) == pytest.approx(expected)
    assert retrievability(None, later, make_scheduler()) == 0.0


def test_memory_round_trips_through_json():
    memory = review(None, 2, T0, make_scheduler(), 1)
    assert Memory.from_json(memory.to_json()) == memory
