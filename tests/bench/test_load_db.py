"""The load test's audit (bench/load_db.py) catches each way a grade can go wrong."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.load import ACKNOWLEDGED, REPEAT, UNANSWERED
from bench.load_db import audit
from flashcards.grading import grade_submit
from flashcards.models import PromptState, Review
from flashcards.tokens import grade_token
from tests.conftest import make_card, make_user

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def graded():
    """A learner's prompt graded twice through the service, both grades acknowledged."""
    learner, prompt = make_user(), make_card().prompts.get()
    grades = []
    for version, rating in enumerate((3, 1)):
        token = grade_token(user_id=learner.pk, prompt_id=prompt.pk, version=version, shown_at=NOW)
        when = NOW + dt.timedelta(minutes=version)
        assert grade_submit(user=learner, token=token, rating=rating, now=when).applied
        grades.append(
            {"user": learner.pk, "token": token, "rating": rating, "outcome": ACKNOWLEDGED}
        )
    return learner, prompt, grades


def test_a_clean_log_has_no_problems_and_repeats_count_once(graded):
    _, _, grades = graded
    report = audit([*grades, {**grades[1], "outcome": REPEAT}])
    assert report == {"reviews": 2, "states": 1, "acknowledged": 2, "problems": {}}


def test_an_acknowledged_grade_missing_from_the_log_is_lost(graded):
    learner, prompt, grades = graded
    token = grade_token(user_id=learner.pk, prompt_id=prompt.pk, version=2, shown_at=NOW)
    report = audit(
        [*grades, {"user": learner.pk, "token": token, "rating": 4, "outcome": ACKNOWLEDGED}]
    )
    assert report["problems"] == {"lost": [[learner.pk, prompt.pk, 2]]}


def test_an_unanswered_grade_may_be_missing_or_present_once(graded):
    learner, prompt, grades = graded
    token = grade_token(user_id=learner.pk, prompt_id=prompt.pk, version=2, shown_at=NOW)
    unanswered = {"user": learner.pk, "token": token, "rating": 4, "outcome": UNANSWERED}
    assert audit([*grades, unanswered])["problems"] == {}


def test_a_grade_applied_twice_is_duplicated_and_the_state_is_off(graded):
    learner, prompt, grades = graded
    last = Review.objects.latest("id")
    last.pk = None
    last.save()
    problems = audit(grades)["problems"]
    assert problems["duplicated"] == [[learner.pk, prompt.pk, 2]]
    assert problems["stale_states"] == [[learner.pk, prompt.pk]]
    assert problems["unexplained"] == [[learner.pk, prompt.pk, 2]]


def test_a_review_no_grade_explains_and_a_changed_state_are_reported(graded):
    learner, prompt, grades = graded
    PromptState.objects.filter(user=learner).update(stability=99.0)
    problems = audit(grades[:1])["problems"]
    assert problems["unexplained"] == [[learner.pk, prompt.pk, 1]]
    assert problems["stale_states"] == [[learner.pk, prompt.pk]]
    assert problems["rebuild_mismatches"] == [[learner.pk, prompt.pk]]
