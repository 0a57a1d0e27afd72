"""The fixtures bench/inprocess.py and bench/prepare.py share: whom the pages are timed for,
and which card states a grade POST may carry a token for."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from bench.inprocess import gradable_states, year_learner
from flashcards.models import Card, PromptState, Review
from flashcards.tokens import grade_token

pytestmark = pytest.mark.django_db


def generated(days: int, cards: int = 40) -> list:
    """Three generated learners, the first with `days` of history."""
    call_command(
        "generate_dataset",
        learners=3,
        cards=cards,
        history=1,
        days=days,
        stdout=io.StringIO(),
    )
    return list(get_user_model().objects.filter(username__startswith="load").order_by("username"))


def test_grades_leave_out_question_cards_and_each_is_a_200(bundled_content, client):
    learner = generated(days=30)[-1]  # a learner without a history, as the graders are
    questions = PromptState.objects.filter(user=learner, prompt__card__kind=Card.Kind.QUESTION)
    assert questions.exists()  # else the test shows nothing
    states = list(gradable_states(learner))
    assert states and not any(state.prompt.card.kind == Card.Kind.QUESTION for state in states)
    assert len(states) == PromptState.objects.filter(user=learner).count() - questions.count()

    now = timezone.now()
    client.force_login(learner)
    for state in states:  # by due time, as the benchmark sends them
        token = grade_token(
            user_id=learner.pk, prompt_id=state.prompt_id, version=state.version, shown_at=now
        )
        response = client.post(
            "/study/grade/", {"token": token, "rating": "3", "scope": "all"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert b"already graded" not in response.content
    assert Review.objects.filter(user=learner).count() == len(states)  # each one applied


def test_the_dashboard_learner_has_a_year_of_history(bundled_content):
    users = generated(days=365, cards=100)  # as make bench's: enough for some to be due now
    assert year_learner(users, timezone.now()) == users[0]


def test_a_short_history_is_refused_rather_than_timed(bundled_content):
    with pytest.raises(SystemExit, match="days of reviews"):
        year_learner(generated(days=30), timezone.now())
