"""Checking a learner's picks on a question, and what a page may show before the answer."""

from __future__ import annotations

import pytest

from flashcards.card_sync import cards_sync_from_note
from flashcards.models import Prompt
from flashcards.questions import parse_questions
from practice.answers import answer_check, answer_log, ask_of
from practice.models import Answer
from tests.conftest import make_lesson

pytestmark = pytest.mark.django_db

TWO_RIGHT = """Q: Which two keep a copy past 35 days?
- [x] A manual snapshot.
  why: Kept until you delete it.
- [ ] An automated backup.
  why: Kept at most 35 days.
- [x] AWS Backup with a long retention.
  why: Its plans can keep backups for years.
- [ ] Backtrack.
  why: Rewinds at most 72 hours.
"""


def question() -> Prompt:
    lesson = make_lesson()
    cards_sync_from_note(lesson=lesson, specs=parse_questions(TWO_RIGHT))
    return Prompt.objects.get(card__lesson=lesson)


def test_what_a_page_may_show_before_the_answer_says_nothing_of_which_are_right():
    ask = ask_of(question())
    assert ask["multiple"] and ask["choose"] == "Choose two."
    assert [option["letter"] for option in ask["options"]] == list("ABCD")
    assert all(set(option) == {"letter", "html"} for option in ask["options"])


def test_an_answer_is_right_only_with_every_right_option_and_no_other():
    prompt = question()
    assert answer_check(prompt, ["C", "a"]).is_right
    assert not answer_check(prompt, ["A"]).is_right
    assert not answer_check(prompt, ["A", "B", "C"]).is_right
    checked = answer_check(prompt, ["A", "B"])
    verdicts = checked.verdicts(prompt.options)
    assert [(v["letter"], v["right"], v["picked"]) for v in verdicts] == [
        ("A", True, True),
        ("B", False, True),
        ("C", True, False),
        ("D", False, False),
    ]
    assert verdicts[3]["why_html"] == "<p>Rewinds at most 72 hours.</p>"


def test_a_logged_answer_names_the_wording_it_answered(learner):
    prompt = question()
    answer = answer_log(
        user=learner, prompt=prompt, checked=answer_check(prompt, ["B"]), source=Answer.Source.STUDY
    )
    assert (answer.chosen, answer.is_right, answer.content_hash) == (
        "B",
        False,
        prompt.content_hash,
    )
