"""Reads across all learners: the hardest cards, troubled tree questions, mastery spread and
active learners."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from analytics import selectors
from flashcards.models import Card, PromptState, Review
from lessons.models import Lesson
from tests.analytics.conftest import log
from tests.conftest import make_card, make_lesson, make_topic, make_user

pytestmark = pytest.mark.django_db


def test_the_hardest_cards_come_first_and_a_card_nobody_failed_is_not_listed(hard_cards):
    cards = selectors.hardest_cards()
    # "easy" was never graded Again; "rare" has too few reviews.
    assert [card.pk for card in cards] == [hard_cards.hard.pk]
    assert cards[0].again_rate == pytest.approx(3 / 4)
    assert cards[0].again_at_least == pytest.approx(selectors.wilson_lower_bound(3, 4))
    assert (cards[0].review_count, cards[0].leech_count) == (4, 1)
    assert cards[0].section_title == "Copy on write"


def test_the_hardest_cards_are_ranked_by_evidence_not_by_the_raw_rate():
    lesson = make_lesson()
    once = make_card(lesson=lesson, front="Failed 2 times in 3")
    often = make_card(lesson=lesson, front="Failed 30 times in 60")
    learner = make_user()
    for rating in (1, 1, 3):
        log(learner, once.prompts.get(), rating)
    for number in range(60):
        log(learner, often.prompts.get(), 1 if number % 2 else 3)
    # The raw rate puts "once" first (67% to 50%); the evidence does not.
    assert [card.pk for card in selectors.hardest_cards()] == [often.pk, once.pk]


def test_the_hardest_cards_show_their_front_as_learners_see_it():
    card = make_card(kind=Card.Kind.CLOZE, front="Aurora keeps {{c1::six}} copies", back="")
    learner = make_user()
    for rating in (1, 1, 3):
        log(learner, card.prompts.get(), rating)
    (hardest,) = selectors.hardest_cards()
    assert hardest.front_html == card.prompts.get().front_html
    assert "six" not in hardest.front_html and "[…]" in hardest.front_html


def test_the_wilson_lower_bound_needs_evidence():
    assert selectors.wilson_lower_bound(0, 0) == 0.0
    assert selectors.wilson_lower_bound(0, 10) == pytest.approx(0.0)
    assert selectors.wilson_lower_bound(1, 3) < selectors.wilson_lower_bound(30, 100) < 0.3
    assert selectors.wilson_lower_bound(30, 100) == pytest.approx(0.2189, abs=1e-4)
    assert selectors.wilson_lower_bound(10, 10) < 1.0


def test_the_hardest_cards_leave_out_drafts_and_retired_cards(hard_cards):
    Card.objects.filter(pk=hard_cards.hard.pk).update(is_active=False)
    assert selectors.hardest_cards() == []
    Card.objects.filter(pk=hard_cards.hard.pk).update(is_active=True)
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
    from portal.sessions import SessionStore
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


def test_study_of_a_private_note_does_not_make_a_learner_active():
    learner = make_user()
    private = make_lesson(topic=make_topic(owner=learner))
    prompt = make_card(lesson=private).prompts.get()
    today = dt.date(2026, 11, 25)
    Review.objects.create(
        user=learner,
        prompt=prompt,
        rating=3,
        state_after=2,
        after={},
        reviewed_at=dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC),
    )
    assert selectors.active_learners_per_week(today, weeks=1) == [(dt.date(2026, 11, 23), 0)]
