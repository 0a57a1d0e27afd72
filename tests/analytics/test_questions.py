"""Each question's figures from the Answer log: difficulty, pick rates, rare distractors."""

from __future__ import annotations

import pytest

from analytics import questions
from analytics.selectors import wilson_lower_bound
from flashcards.models import Prompt
from lessons.models import Lesson
from tests.conftest import make_lesson, make_user
from tests.practice.conftest import four_option_questions, studied_answer, submitted_attempt

pytestmark = pytest.mark.django_db


def answer(prompt, *letters):
    """One answer each, by a new learner, from study sessions."""
    for picked in letters:
        studied_answer(make_user(), prompt, picked)


def test_a_questions_answers_count_only_its_current_wording():
    (prompt,) = four_option_questions(1)
    answer(prompt, "A", "B")
    Prompt.objects.filter(pk=prompt.pk).update(content_hash="edited")  # a new wording
    prompt.refresh_from_db()
    answer(prompt, "B")
    # Answers from a practice test count as those from study do.
    submitted_attempt(make_user(), [(prompt, "C")])
    (row,) = questions.question_figures()
    assert (row.answers, row.right) == (2, 1)
    assert row.share_right == 0.5
    assert row.wrong_at_least == wilson_lower_bound(1, 2)


def test_questions_sort_by_difficulty_and_by_answers_the_unanswered_last():
    lesson = make_lesson()
    missed_often, missed_once, easy, unanswered = four_option_questions(4, lesson=lesson)
    answer(missed_often, *"AAAACCCCBB")  # 8 wrong in 10
    answer(missed_once, "A", "B", "B")  # 1 wrong in 3
    answer(easy, *"BBBBB")
    by = {
        sort: [row.prompt for row in questions.question_figures(sort)]
        for sort in ("-difficulty", "difficulty", "-answers", "answers")
    }
    assert by["-difficulty"] == [missed_often, missed_once, easy, unanswered]
    assert by["difficulty"] == [easy, missed_once, missed_often, unanswered]
    assert by["-answers"] == [missed_often, easy, missed_once, unanswered]
    assert by["answers"] == [missed_once, easy, missed_often, unanswered]


def test_only_studyable_questions_are_listed():
    four_option_questions(1, lesson=make_lesson(status=Lesson.Status.DRAFT))
    (retired,) = four_option_questions(1)
    retired.card.is_active = False
    retired.card.save()
    (live,) = four_option_questions(1)
    assert [row.prompt for row in questions.question_figures()] == [live]


def test_each_options_pick_rate_is_its_share_of_the_answers():
    (prompt,) = four_option_questions(1)
    answer(prompt, "B", "B", "A", "AB")  # AB: a pick of both, on a single-answer question
    rows = questions.question_figures()
    questions.options_fill(rows)
    assert [(o.letter, o.right, o.picks, o.share) for o in rows[0].options] == [
        ("A", False, 2, 0.5),
        ("B", True, 3, 0.75),
        ("C", False, 0, 0.0),
        ("D", False, 0, 0.0),
    ]
    assert not any(option.flagged for option in rows[0].options)  # too few answers to say


def test_a_wrong_option_under_5_percent_of_20_answers_or_more_is_flagged():
    (prompt,) = four_option_questions(1)
    answer(prompt, *("B" * 15 + "A" * 4 + "C"))  # C: 1 in 20, 5%; D: never
    rows = questions.question_figures()
    questions.options_fill(rows)
    flags = {option.letter: option.flagged for option in rows[0].options}
    assert flags == {"A": False, "B": False, "C": False, "D": True}
    assert rows[0].flagged == 1
    # Under 20 answers, nothing is flagged however rarely an option is picked.
    (fewer,) = four_option_questions(1)
    answer(fewer, *("B" * 19))
    rows = [row for row in questions.question_figures() if row.prompt == fewer]
    questions.options_fill(rows)
    assert not any(option.flagged for option in rows[0].options)


def test_a_right_option_is_never_flagged():
    (prompt,) = four_option_questions(1)
    answer(prompt, *("A" * 20))  # B, the right one, never picked
    rows = questions.question_figures()
    questions.options_fill(rows)
    assert {o.letter for o in rows[0].options if o.flagged} == {"C", "D"}
