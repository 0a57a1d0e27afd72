"""Custom study: the modes' queues and counts, more new cards today, a scope's own limit."""

from __future__ import annotations

import datetime as dt

import pytest

from flashcards.custom_study import (
    custom_study_panel,
    extra_new_cards_add,
    forgotten_mode,
    scope_limit_set,
)
from flashcards.grading import grade_submit
from flashcards.models import PromptState, StudySettings
from flashcards.selectors import Scope, next_prompt, queue_counts, study_settings_for
from tests.conftest import grade_now, make_card, make_lesson, make_user
from tests.flashcards.conftest import NOW, token_for

pytestmark = pytest.mark.django_db


def prompts_of(lesson, count):
    return [make_card(lesson=lesson).prompts.get() for _ in range(count)]


def counts(user, scope, now=NOW):
    return queue_counts(user, scope, study_settings_for(user), now)


# The scope's text carries the mode -----------------------------------------------------------


def test_a_mode_travels_in_the_scope_text_and_back():
    ahead = Scope.parse("lesson:tls/ahead:7")
    assert (ahead.kind, ahead.slug, ahead.mode, ahead.days) == ("lesson", "tls", "ahead", 7)
    assert Scope.parse(str(ahead)) == ahead
    forgotten = Scope.parse("all/forgotten:1772409600-1772438400")
    assert forgotten.mode == Scope.FORGOTTEN and forgotten.since > forgotten.day
    assert Scope.parse(str(forgotten)) == forgotten
    assert str(ahead.base) == "lesson:tls"


@pytest.mark.parametrize(
    "raw",
    [
        "lesson:tls/ahead:0",
        "lesson:tls/ahead:31",
        "lesson:tls/ahead:-1",
        "lesson:tls/later:3",
        "all/forgotten:5-3",
        "all/forgotten:99999999999999-1",
        "all/forgotten:x-1",
    ],
)
def test_a_mode_out_of_range_or_unknown_is_the_usual_session(raw):
    assert not Scope.parse(raw).is_custom
    assert Scope.parse(raw).base == Scope.parse(raw.partition("/")[0])


def test_a_bad_scope_with_a_mode_is_everything_in_that_mode():
    assert Scope.parse("lesson:bad slug/ahead:3") == Scope(mode=Scope.AHEAD, days=3)


# More new cards today and a scope's own limit -----------------------------------------------


def test_more_new_cards_today_raise_the_allowance_in_that_scope_only():
    learner = make_user()
    StudySettings.objects.create(user=learner, new_per_day=1)
    lesson = make_lesson(slug="tls")
    first, *_ = prompts_of(lesson, 4)
    grade_now(learner, first, 3, NOW)
    scope = Scope("lesson", "tls")
    assert counts(learner, scope).new == 0

    extra_new_cards_add(user=learner, scope=scope, count=2, now=NOW)
    assert counts(learner, scope).new == 2
    assert counts(learner, Scope()).new == 0  # everything: the overall limit, not raised
    assert counts(learner, scope, NOW + dt.timedelta(days=1)).new == 1  # tomorrow: gone

    extra_new_cards_add(user=learner, scope=scope, count=2, now=NOW)  # they add up
    assert counts(learner, scope).new_allowed == 4


def test_a_scope_limit_counts_only_the_cards_started_in_that_scope():
    learner = make_user()
    tls, other = make_lesson(slug="tls"), make_lesson(slug="other")
    tls_prompts = prompts_of(tls, 4)
    other_prompts = prompts_of(other, 3)
    scope_limit_set(user=learner, scope=Scope("lesson", "tls"), limit=2)
    for prompt in other_prompts:
        grade_now(learner, prompt, 3, NOW)
    assert counts(learner, Scope("lesson", "tls")).new == 2
    grade_now(learner, tls_prompts[0], 3, NOW)
    assert counts(learner, Scope("lesson", "tls")).new == 1
    assert counts(learner, Scope()).new_allowed == 20 - 4

    scope_limit_set(user=learner, scope=Scope("lesson", "tls"), limit=None)
    assert counts(learner, Scope("lesson", "tls")).new == 3
    assert StudySettings.objects.get(user=learner).scope_new_cards == {}


def test_the_grade_rechecks_the_allowance_of_the_scope_it_was_given():
    learner = make_user()
    StudySettings.objects.create(user=learner, new_per_day=1)
    lesson = make_lesson(slug="tls")
    first, second = prompts_of(lesson, 2)
    grade_now(learner, first, 3, NOW)
    scope = Scope("lesson", "tls")
    extra_new_cards_add(user=learner, scope=scope, count=1, now=NOW)

    elsewhere = grade_submit(user=learner, token=token_for(learner, second), rating=3, now=NOW)
    assert elsewhere.new_limit_reached  # studying everything, the +1 does not count
    here = grade_submit(
        user=learner, token=token_for(learner, second), rating=3, now=NOW, scope=scope
    )
    assert here.applied


# Review ahead --------------------------------------------------------------------------------


def test_review_ahead_serves_reviews_due_within_the_days_earliest_first_and_no_new_cards():
    learner = make_user()
    lesson = make_lesson(slug="tls")
    prompts = prompts_of(lesson, 4)
    for prompt in prompts[:3]:
        grade_now(learner, prompt, 4, NOW)  # Easy: review, due in about a week or more
    states = PromptState.objects.filter(user=learner).order_by("due")
    soonest, *_ = states
    days = (soonest.due - NOW).days + 1
    later = [s for s in states if s.due > NOW + dt.timedelta(days=days)]

    scope = Scope("lesson", "tls").with_mode(f"ahead:{days}")
    ahead = counts(learner, scope)
    assert ahead.review == 3 - len(later) and ahead.new == 0
    item = next_prompt(learner, scope, ahead, NOW)
    assert item.prompt == soonest.prompt
    assert counts(learner, Scope("lesson", "tls")).review == 0  # nothing due as usual


def test_review_ahead_of_thirty_days_takes_every_review_due_by_then():
    learner = make_user()
    prompts = prompts_of(make_lesson(slug="tls"), 2)
    for prompt in prompts:
        grade_now(learner, prompt, 4, NOW)
    assert counts(learner, Scope("lesson", "tls", "ahead", days=30)).review == 2


# Today's forgotten cards ---------------------------------------------------------------------


def test_forgotten_cards_are_those_graded_again_today_and_each_is_served_once_more():
    learner = make_user()
    lesson = make_lesson(slug="tls")
    forgot, knew, yesterday = prompts_of(lesson, 3)
    grade_now(learner, yesterday, 1, NOW - dt.timedelta(days=1))
    grade_now(learner, forgot, 1, NOW)
    grade_now(learner, knew, 3, NOW)
    start = NOW + dt.timedelta(minutes=1)
    scope = Scope("lesson", "tls").with_mode(forgotten_mode(study_settings_for(learner), start))

    found = counts(learner, scope, start)
    assert found.total == 1 and found.new == 0
    item = next_prompt(learner, scope, found, start)  # due in ten minutes: served now
    assert item.prompt == forgot

    grade_now(learner, forgot, 1, start + dt.timedelta(seconds=30))  # Again once more
    assert counts(learner, scope, start + dt.timedelta(minutes=1)).total == 0


def test_the_custom_study_panel_counts_new_cards_left_unseen_and_forgotten():
    learner = make_user()
    StudySettings.objects.create(user=learner, new_per_day=2)
    lesson = make_lesson(slug="tls")
    first, second, *_ = prompts_of(lesson, 5)
    grade_now(learner, first, 1, NOW)
    grade_now(learner, second, 3, NOW)
    extra_new_cards_add(user=learner, scope=Scope("lesson", "tls"), count=3, now=NOW)
    panel = custom_study_panel(
        user=learner,
        scope=Scope("lesson", "tls"),
        study_settings=study_settings_for(learner),
        now=NOW + dt.timedelta(minutes=1),
    )
    assert (panel.new_left, panel.unseen, panel.forgotten, panel.extra_today) == (3, 3, 1, 3)
