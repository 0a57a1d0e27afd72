"""The study queue: what comes next, and how many new cards a day, in the learner's time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from flashcards.days import day_start
from flashcards.models import PromptState, Review, StudySettings
from flashcards.selectors import Scope, next_prompt, queue_counts, study_settings_for
from tests.conftest import make_card, make_lesson, make_topic

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def put_state(user, prompt, *, state, due):
    return PromptState.objects.create(
        user=user,
        prompt=prompt,
        state=state,
        step=0,
        stability=3.0,
        difficulty=5.0,
        due=due,
        last_review=due - dt.timedelta(days=1),
    )


EVERYTHING = Scope()


def study_order(user, scope=EVERYTHING, now=NOW) -> list[str]:
    """Fronts in the order the queue serves them, answering each by removing it from the queue."""
    served = []
    settings = study_settings_for(user)
    for _ in range(50):
        counts = queue_counts(user, scope, settings, now)
        item = next_prompt(user, scope, counts, now)
        if item is None:
            return served
        served.append(item.prompt.card.front)
        if item.state:
            PromptState.objects.filter(pk=item.state.pk).update(due=now + dt.timedelta(days=365))
        else:
            put_state(user, item.prompt, state=2, due=now + dt.timedelta(days=365))
    raise AssertionError("the queue never emptied")


def test_learning_first_then_due_reviews_then_new_cards(learner):
    topic = make_topic()
    early, late = make_lesson(topic=topic, position=1), make_lesson(topic=topic, position=2)
    new_late = make_card(lesson=late, front="new in the later lesson")
    new_early = make_card(lesson=early, front="new in the earlier lesson")
    review_old = make_card(front="review due yesterday")
    review_new = make_card(front="review due an hour ago")
    learning = make_card(front="learning due now")
    relearning = make_card(front="relearning due a minute ago")
    not_due = make_card(front="review due tomorrow")
    put_state(learner, review_old.prompts.get(), state=2, due=NOW - dt.timedelta(days=1))
    put_state(learner, review_new.prompts.get(), state=2, due=NOW - dt.timedelta(hours=1))
    put_state(learner, learning.prompts.get(), state=1, due=NOW)
    put_state(learner, relearning.prompts.get(), state=3, due=NOW - dt.timedelta(minutes=1))
    put_state(learner, not_due.prompts.get(), state=2, due=NOW + dt.timedelta(days=1))
    assert new_late and new_early
    assert study_order(learner)[:6] == [
        "relearning due a minute ago",
        "learning due now",
        "review due yesterday",
        "review due an hour ago",
        "new in the earlier lesson",
        "new in the later lesson",
    ]


def test_scopes_limit_the_queue(learner):
    lesson = make_lesson(slug="only-this")
    make_card(lesson=lesson, front="in the lesson")
    tagged = make_card(front="tagged")
    tagged.tags.create(slug="kms")
    make_card(front="elsewhere")
    assert study_order(learner, Scope.parse("lesson:only-this")) == ["in the lesson"]
    assert study_order(learner, Scope.parse("tag:kms")) == ["tagged"]


def test_drafts_and_retired_cards_are_not_studied(learner):
    make_card(lesson=make_lesson(status="draft"), front="draft lesson")
    retired = make_card(front="retired")
    retired.is_active = False
    retired.save()
    assert study_order(learner) == []


def introduce(user, prompt, at):
    """Record that a new prompt was first studied at `at`."""
    Review.objects.create(
        user=user,
        prompt=prompt,
        rating=3,
        reviewed_at=at,
        state_before=None,
        state_after=1,
        after={},
    )


def test_new_cards_per_day_count_in_the_learners_time_zone(learner):
    StudySettings.objects.create(user=learner, new_per_day=2, time_zone="Pacific/Auckland")
    lesson = make_lesson()
    cards = [make_card(lesson=lesson) for _ in range(5)]
    # 10:30 UTC on 2 March is 23:30 in Auckland (UTC+13): two new cards started "today" there.
    late_evening = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)
    introduce(learner, cards[0].prompts.get(), late_evening - dt.timedelta(hours=1))
    introduce(learner, cards[1].prompts.get(), late_evening - dt.timedelta(minutes=5))
    for card in cards[:2]:
        put_state(learner, card.prompts.get(), state=1, due=late_evening + dt.timedelta(days=9))
    settings = study_settings_for(learner)
    assert queue_counts(learner, Scope(), settings, late_evening).new == 0
    # Forty minutes later it is past midnight in Auckland: a new day, two more new cards.
    after_midnight = late_evening + dt.timedelta(minutes=40)
    assert queue_counts(learner, Scope(), settings, after_midnight).new == 2
    # In UTC it would still have been the same day.
    StudySettings.objects.filter(user=learner).update(time_zone="UTC")
    assert queue_counts(learner, Scope(), study_settings_for(learner), after_midnight).new == 0


def test_study_settings_are_defaults_until_saved_and_read_afresh_each_time(learner):
    defaults = study_settings_for(learner)
    assert defaults.pk is None and defaults.new_per_day == 20
    StudySettings.objects.create(user=learner, new_per_day=3)
    assert study_settings_for(learner).new_per_day == 3  # nothing kept on the user object


def test_day_start_follows_the_zone():
    moment = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)
    assert day_start(moment, "Pacific/Auckland").isoformat() == "2026-03-02T00:00:00+13:00"
    assert day_start(moment, "America/New_York").isoformat() == "2026-03-02T00:00:00-05:00"
    assert day_start(moment, "Not/AZone").isoformat() == "2026-03-02T00:00:00+00:00"
