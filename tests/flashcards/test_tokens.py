"""Grade tokens: a grade is refused unless its token was signed for this learner, recently."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing

from flashcards.grading import grade_submit
from flashcards.models import PromptState, Review
from flashcards.tokens import GradeRefused, UndoTicket, read_undo_token, undo_token
from tests.conftest import make_card, make_user
from tests.flashcards.conftest import NOW, token_for

pytestmark = pytest.mark.django_db


def test_grading_with_another_users_token_is_not_found_and_changes_nothing(learner):
    other = make_user()
    prompt = make_card().prompts.get()
    with pytest.raises(GradeRefused) as refused:
        grade_submit(user=other, token=token_for(learner, prompt), rating=3, now=NOW)
    assert refused.value.status == 404
    assert not Review.objects.exists() and not PromptState.objects.exists()


@pytest.mark.parametrize(
    "token",
    ["", "garbage", signing.dumps({"u": 1, "p": 1, "v": 0, "t": 0}, salt="another-salt")],
    ids=["empty", "garbage", "signed-for-something-else"],  # the same ids in every xdist worker
)
def test_a_card_that_was_not_presented_is_refused(learner, token):
    make_card()
    with pytest.raises(GradeRefused) as refused:
        grade_submit(user=learner, token=token, rating=3, now=NOW)
    assert refused.value.status == 400
    assert not Review.objects.exists()


def test_an_expired_token_is_refused(learner):
    prompt = make_card().prompts.get()
    token = token_for(learner, prompt)
    with pytest.raises(GradeRefused, match="too long ago"):
        signing_time = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("django.core.signing.time.time", lambda: signing_time.timestamp())
            grade_submit(user=learner, token=token, rating=3, now=NOW)


def test_an_undo_token_names_a_review_or_an_action_of_the_session():
    assert read_undo_token(undo_token(user_id=1, review_id=5), user_id=1) == UndoTicket(review_id=5)
    assert read_undo_token(undo_token(user_id=1, action_id=7), user_id=1) == UndoTicket(action_id=7)
    with pytest.raises(GradeRefused) as refused:
        read_undo_token(undo_token(user_id=1, action_id=7), user_id=2)
    assert refused.value.status == 404
    with pytest.raises(TypeError):
        undo_token(user_id=1)
