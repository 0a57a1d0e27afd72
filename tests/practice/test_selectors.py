"""Reading practice tests: scopes, the learner's latest answers, and a result per lesson."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.http import Http404

from practice.answers import answer_check, answer_log
from practice.models import Answer, Attempt
from practice.selectors import (
    PracticeScope,
    attempt_of,
    attempt_result,
    attempts_of,
    latest_right_by_prompt,
    neighbours,
    scope_resolve,
    seconds_left,
)
from practice.services import answer_save, attempt_start, attempt_submit
from tests.conftest import make_lesson, make_topic, make_user
from tests.practice.conftest import three_option_questions

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def test_a_scope_names_a_published_lesson_a_topic_or_everything():
    lesson = make_lesson(title="Restore paths")
    draft = make_lesson(status="draft")
    assert scope_resolve(None) == scope_resolve("all") == PracticeScope("all")
    assert scope_resolve(f"lesson:{lesson.slug}") == PracticeScope(
        "lesson", lesson.slug, "Restore paths"
    )
    assert scope_resolve(f"topic:{lesson.topic.slug}").title == lesson.topic.title
    assert scope_resolve(f"lesson:{lesson.slug}").key == f"lesson:{lesson.slug}"
    for raw in (f"lesson:{draft.slug}", "lesson:", "tag:x", "all:x", "topic:no-such", "lesson:a/b"):
        assert scope_resolve(raw) is None, raw


def test_the_latest_answer_decides_whether_a_question_was_right(learner):
    first, second, unseen = three_option_questions(3)
    for prompt, picks in ((first, "A"), (first, "B"), (second, "B"), (second, "C")):
        answer_log(
            user=learner,
            prompt=prompt,
            checked=answer_check(prompt, picks),
            source=Answer.Source.STUDY,
            now=NOW,  # the same moment: the later row is the latest
        )
    answer_log(
        user=make_user(),
        prompt=unseen,
        checked=answer_check(unseen, "B"),
        source=Answer.Source.STUDY,
        now=NOW,
    )
    ids = [first.pk, second.pk, unseen.pk]
    assert latest_right_by_prompt(learner, ids) == {first.pk: True, second.pk: False}


def test_a_result_scores_each_lesson_and_a_learner_sees_only_their_tests(learner):
    topic = make_topic()
    one = three_option_questions(2, topic=topic, title="One")
    two = three_option_questions(2, topic=topic, title="Two")
    attempt = attempt_start(
        user=learner,
        scope=PracticeScope("topic", topic.slug, topic.title),
        count=4,
        timed=False,
        now=NOW,
        seconds_per_question=120,
        rng=random.Random(0),
    )
    for question in attempt.questions.all():
        picks = "B" if question.prompt_id in (one[0].pk, one[1].pk, two[0].pk) else "A"
        answer_save(
            attempt=attempt, position=question.position, picks=picks, flagged=False, now=NOW
        )
    result = attempt_result(attempt_submit(attempt=attempt, now=NOW))
    scores = {score.title: (score.right, score.total, score.percent) for score in result.by_lesson}
    assert scores == {"One": (2, 2, 100), "Two": (1, 2, 50)}
    assert (result.percent, result.missed) == (75, 1)
    assert attempts_of(learner) == [attempt]
    other = make_user()
    assert attempts_of(other) == []
    with pytest.raises(Http404):
        attempt_of(other, attempt.pk)


def test_neighbours_step_over_a_removed_question():
    assert neighbours([1, 3, 4], 3) == (1, 4)
    assert neighbours([1, 3, 4], 1) == (None, 3)
    assert neighbours([1, 3, 4], 4) == (3, None)


def test_seconds_left_counts_down_to_the_deadline_and_stops_at_zero():
    now = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    timed = Attempt(deadline=now + dt.timedelta(seconds=90, milliseconds=500))
    assert seconds_left(timed, now) == 90
    assert seconds_left(timed, now + dt.timedelta(hours=1)) == 0
    assert seconds_left(Attempt(deadline=None), now) is None
