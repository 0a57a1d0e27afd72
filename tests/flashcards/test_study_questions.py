"""A question in a study session: checking the picks once per showing, and its back."""

from __future__ import annotations

import datetime as dt

import pytest

from flashcards.grading import grade_submit
from flashcards.models import Review
from flashcards.study_questions import (
    MOVED_ON,
    NO_PICK,
    NOT_A_QUESTION,
    UNANSWERED,
    question_back,
    showing_of,
    study_check,
    ticket_of,
)
from flashcards.tokens import GradeRefused, read_grade_token
from lessons.models import Lesson
from practice.models import Answer
from tests.conftest import grade_now, make_card, make_user
from tests.flashcards.conftest import NOW, TWO_RIGHT, make_question, token_for

pytestmark = pytest.mark.django_db

SECOND = dt.timedelta(seconds=1)


def test_a_check_logs_the_answer_as_a_study_answer_of_its_showing(learner):
    prompt = make_question()
    token = token_for(learner, prompt)
    result = study_check(user=learner, token=token, picks=["b"], now=NOW)
    answer = Answer.objects.get()
    assert result.answer == answer and result.prompt_id == prompt.pk and not result.notice
    assert (answer.chosen, answer.is_right, answer.source) == ("B", True, "study")
    assert answer.showing == showing_of(read_grade_token(token, user_id=learner.pk))
    assert answer.content_hash == prompt.content_hash


def test_checking_one_showing_twice_logs_one_answer_and_keeps_the_first_picks(learner):
    prompt = make_question()
    token = token_for(learner, prompt)
    first = study_check(user=learner, token=token, picks=["A"], now=NOW)
    again = study_check(user=learner, token=token, picks=["B"], now=NOW)
    assert Answer.objects.count() == 1
    assert again.answer.pk == first.answer.pk and again.answer.chosen == "A"


def test_a_new_showing_before_the_grade_shows_the_first_answer_and_after_it_asks_anew(learner):
    prompt = make_question()
    study_check(user=learner, token=token_for(learner, prompt), picks=["A"])
    # A reload, or the front left open in another tab: the answer checked stands.
    later = token_for(learner, prompt, shown_at=NOW + dt.timedelta(seconds=5))
    assert study_check(user=learner, token=later, picks=["B"]).answer.chosen == "A"
    assert list(Answer.objects.values_list("chosen", flat=True)) == ["A"]
    grade_submit(user=learner, token=token_for(learner, prompt), rating=1, now=NOW)
    next_time = token_for(learner, prompt, version=1, shown_at=NOW + dt.timedelta(minutes=10))
    assert study_check(user=learner, token=next_time, picks=["B"]).answer.chosen == "B"
    assert list(Answer.objects.values_list("chosen", flat=True)) == ["A", "B"]


def test_picks_that_are_not_the_questions_letters_are_dropped(learner):
    prompt = make_question()
    result = study_check(user=learner, token=token_for(learner, prompt), picks=["Z", "F", "x"])
    assert result.answer is None and result.notice == NO_PICK
    assert not Answer.objects.exists()
    result = study_check(user=learner, token=token_for(learner, prompt), picks=["Z", "c"])
    assert result.answer.chosen == "C"


def test_a_check_after_the_card_was_graded_elsewhere_logs_nothing(learner):
    prompt = make_question()
    token = token_for(learner, prompt)
    grade_now(learner, prompt, 3, NOW)  # answered first, on a showing of its own
    result = study_check(user=learner, token=token, picks=["B"])
    assert result.answer is None and result.notice == MOVED_ON
    assert Answer.objects.count() == 1


def test_only_a_question_of_ones_own_can_be_checked(learner):
    basic = make_card().prompts.get()
    with pytest.raises(GradeRefused, match=NOT_A_QUESTION):
        study_check(user=learner, token=token_for(learner, basic), picks=["A"])
    other = make_user(username="other")
    with pytest.raises(GradeRefused):
        study_check(user=learner, token=token_for(other, make_question()), picks=["A"])
    with pytest.raises(GradeRefused):
        study_check(user=learner, token="forged", picks=["A"])


def test_the_back_proposes_good_when_right_and_again_saying_what_was_missed(learner):
    prompt = make_question(TWO_RIGHT)
    right = question_back(prompt, Answer(chosen="AC"))
    assert right.is_right and right.proposed == Review.Rating.GOOD and right.reason == ""
    assert right.proposed_label == "Good"
    missed = question_back(prompt, Answer(chosen="A"))
    assert missed.proposed == Review.Rating.AGAIN and missed.reason == "you missed C"
    assert missed.right_text == "A and C"
    both = question_back(prompt, Answer(chosen="BD"))
    assert both.reason == "you missed A and C; B and D are wrong"
    assert [(v["letter"], v["picked"], v["right"]) for v in both.verdicts] == [
        ("A", False, True),
        ("B", True, False),
        ("C", False, True),
        ("D", True, False),
    ]


def test_a_question_is_graded_only_once_an_answer_was_checked_on_its_showing(learner):
    prompt = make_question()
    token = token_for(learner, prompt)
    with pytest.raises(GradeRefused, match=UNANSWERED):
        grade_submit(user=learner, token=token, rating=3, now=NOW)
    assert not Review.objects.exists()
    # An answer checked on another showing does not count for this one.
    study_check(user=learner, token=token_for(learner, prompt, shown_at=NOW - SECOND), picks=["B"])
    with pytest.raises(GradeRefused, match=UNANSWERED):
        grade_submit(user=learner, token=token, rating=3, now=NOW)
    assert grade_submit(
        user=learner, token=token_for(learner, prompt, shown_at=NOW - SECOND), rating=3, now=NOW
    ).applied


def test_a_question_whose_lesson_was_unpublished_cannot_be_checked(learner):
    prompt = make_question()
    Lesson.objects.filter(pk=prompt.card.lesson_id).update(status=Lesson.Status.DRAFT)
    with pytest.raises(GradeRefused, match=NOT_A_QUESTION):
        study_check(user=learner, token=token_for(learner, prompt), picks=["B"])
    assert not Answer.objects.exists()


def test_a_showing_read_back_from_its_answer_signs_the_same_token_time(learner):
    prompt = make_question()
    for shown_at in (NOW, NOW + dt.timedelta(microseconds=123_999), NOW + SECOND * 0.0015):
        token = token_for(learner, prompt, shown_at=shown_at)
        answer = Answer(showing=showing_of(read_grade_token(token, user_id=learner.pk)))
        ticket = ticket_of(answer)
        again = token_for(learner, prompt, shown_at=ticket.shown_at)
        assert read_grade_token(again, user_id=learner.pk) == ticket
        assert showing_of(ticket) == answer.showing
