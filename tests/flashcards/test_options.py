"""A question's options as text, and checking a learner's answer."""

from __future__ import annotations

import pytest

from flashcards.options import (
    OptionsError,
    choose_phrase,
    is_right,
    normalize_choice,
    options_text,
    parse_options,
)

THREE = """- [ ] Snapshot over the instance.
  why: Snapshots restore to a new instance.
- [x] Point-in-time recovery
  to a new instance.
  why: PITR restores to any second
  of the retention period.
- [ ] Backtrack on RDS.
  why: Aurora MySQL only."""


def test_options_with_continued_text_and_why_parse_and_write_back_the_same():
    options = parse_options(THREE)
    assert [option.correct for option in options] == [False, True, False]
    assert options[1].text == "Point-in-time recovery\nto a new instance."
    assert options[1].why == "PITR restores to any second\nof the retention period."
    assert [option.correct for option in options].index(True) == 1  # B, the one right
    assert parse_options(options_text(options)) == parse_options(THREE)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- [x] a\n  why: b\n- [ ] c\n  why: d", "needs 3 to 6 options; it has 2"),
        ("- [ ] a\n  why: b\n- [ ] c\n  why: d\n- [ ] e\n  why: f", "no option is marked right"),
        ("- [x] a\n  why: b\n- [x] c\n  why: d\n- [x] e\n  why: f", "every option is marked"),
        ("- [x] a\n- [ ] c\n  why: d\n- [ ] e\n  why: f", "option A has no 'why:'"),
        ("- [x] a\n  why: b\n- [ ] A\n  why: d\n- [ ] e\n  why: f", "option B says the same"),
        ("- [x] a\n  why: b\n  why: again\n- [ ] c\n  why: d\n- [ ] e\n  why: f", "two 'why:'"),
        ("intro\n- [x] a\n  why: b\n- [ ] c\n  why: d\n- [ ] e\n  why: f", "expected an option"),
        ("- [x] a\n  why: b\nloose\n- [ ] c\n  why: d\n- [ ] e\n  why: f", "'loose' is not an"),
    ],
)
def test_bad_options_say_what_is_wrong_at_their_line(text, message):
    with pytest.raises(OptionsError) as caught:
        parse_options(text, first_line=10)
    assert message in str(caught.value)
    assert all(problem.line and problem.line >= 10 for problem in caught.value.problems)


def test_seven_options_are_too_many():
    text = "\n".join(f"- [{'x' if n == 0 else ' '}] option {n}\n  why: w" for n in range(7))
    with pytest.raises(OptionsError, match="it has 7"):
        parse_options(text)


def test_a_choice_keeps_only_letters_among_the_options_once_each_in_order():
    assert normalize_choice(["c", "A", "a", "Z", "<script>", "1"], 4) == "AC"
    assert normalize_choice(["E"], 4) == ""


def test_right_means_every_right_option_and_nothing_else():
    assert is_right("AC", "AC")
    assert not is_right("A", "AC")
    assert not is_right("ABC", "AC")
    assert not is_right("", "")


def test_multiple_answer_questions_say_how_many_to_choose():
    assert choose_phrase(1) == ""
    assert choose_phrase(2) == "Choose two."
    assert choose_phrase(3) == "Choose three."
