"""Reads across all learners: the hardest cards, troubled tree questions, mastery spread and
active learners."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from analytics import selectors
from flashcards.models import Card, PromptState, Review
from lessons.models import Lesson
from tests.conftest import make_card, make_lesson, make_user

pytestmark = pytest.mark.django_db


def test_the_hardest_cards_come_first(hard_cards):
    hard, easy = hard_cards.hard, hard_cards.easy
    cards = selectors.hardest_cards()
    assert [card.pk for card in cards] == [hard.pk, easy.pk]  # "rare" has too few reviews
    assert cards[0].again_rate == pytest.approx(3 / 4)
    assert (cards[0].review_count, cards[0].leech_count) == (4, 1)
    assert cards[0].section_title == "Copy on write"
    assert cards[1].section_title == ""  # no section


def test_the_hardest_cards_leave_out_drafts_and_retired_cards(hard_cards):
    Card.objects.filter(pk=hard_cards.easy.pk).update(is_active=False)
    assert [card.pk for card in selectors.hardest_cards()] == [hard_cards.hard.pk]
    Lesson.objects.update(status=Lesson.Status.DRAFT)
    assert selectors.hardest_cards() == []


def test_tree_questions_where_learners_leave_or_go_back(troubled_tree):
    rows = selectors.tree_trouble()
    assert len(rows) == 1
    row = rows[0]
    assert (row.node_key, row.question, row.most_taken_back) == ("second", "Are you sure?", "Yes")
    # The fixture's walkers are all anonymous visitors.
    assert (row.left_learners, row.left_visitors) == (0, 2)
    assert (row.taken_back_learners, row.taken_back_visitors) == (0, 1)
    assert row.tree_id == troubled_tree.pk


def test_learners_and_visitors_are_counted_apart(troubled_tree):
    from django.contrib.sessions.backends.db import SessionStore

    from trees.services import walk_record
    from trees.walk import walk

    learner = make_user()
    spec = troubled_tree.to_spec()
    session = SessionStore()
    for path in ("2", "2.1", "2"):  # on to the outcome, then back on "Yes": stops at "second"
        walk_record(session=session, user=learner, tree=troubled_tree, walk=walk(spec, path))
    row = selectors.tree_trouble()[0]
    assert (row.left_learners, row.left_visitors) == (1, 2)
    assert (row.taken_back_learners, row.taken_back_visitors) == (1, 1)


def test_the_mastery_spread_counts_each_learner_in_one_band():
    lesson = make_lesson(title="Encryption")
    prompts = [make_card(lesson=lesson).prompts.get() for _ in range(2)]
    now = timezone.now()
    strong, weak = make_user(), make_user()
    for prompt in prompts:  # reviewed an hour ago with long stability: recall close to 100%
        PromptState.objects.create(
            user=strong,
            prompt=prompt,
            state=2,
            due=now,
            stability=100,
            difficulty=5,
            last_review=now - dt.timedelta(hours=1),
        )
    # One of the two studied, long ago and barely: about 29% of one card, 15% of the lesson.
    PromptState.objects.create(
        user=weak,
        prompt=prompts[0],
        state=2,
        due=now,
        stability=0.1,
        difficulty=5,
        last_review=now - dt.timedelta(days=300),
    )
    spread = {row.lesson.pk: row for row in selectors.mastery_spread(now)}[lesson.pk]
    assert spread.learners == 2
    assert spread.bands == [1, 0, 0, 0, 1]


def test_active_learners_are_counted_once_per_week():
    prompt = make_card().prompts.get()
    today = dt.date(2026, 11, 25)  # a Wednesday
    first, second = make_user(), make_user()
    monday = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    for user in (first, first, second):
        Review.objects.create(
            user=user, prompt=prompt, rating=3, state_after=2, after={}, reviewed_at=monday
        )
    Review.objects.create(
        user=first,
        prompt=prompt,
        rating=3,
        state_after=2,
        after={},
        reviewed_at=monday - dt.timedelta(days=1),
    )  # the Sunday before
    weeks = selectors.active_learners_per_week(today, weeks=3)
    assert weeks == [
        (dt.date(2026, 11, 9), 0),
        (dt.date(2026, 11, 16), 1),
        (dt.date(2026, 11, 23), 2),
    ]
