"""Checking a learner's picks on a question, and what a page may show before the answer."""

from __future__ import annotations

import pytest

from flashcards.models import Prompt
from practice.answers import answer_check, answer_log, ask_of
from practice.models import Answer
from tests.flashcards.conftest import TWO_RIGHT, make_question

pytestmark = pytest.mark.django_db


def question() -> Prompt:
    return make_question(TWO_RIGHT)


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
