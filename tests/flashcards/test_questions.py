"""Questions blocks: exam-style questions written in a note, parsed into question cards."""

from __future__ import annotations

import pytest

from flashcards.cards import QUESTION, CardsError, check_card, prompts_for
from flashcards.options import parse_options
from flashcards.questions import parse_questions

BLOCK = """tags: restore
section: restore-paths

Q: A company must get a dropped table back.
Which solution meets these requirements?
- [ ] Restore a snapshot over the instance.
  why: Snapshots restore to a new instance.
- [x] Restore to a point in time.
  why: PITR restores to any second.
- [ ] Backtrack the RDS instance.
  why: Aurora MySQL only.
id: restore-table
section: pitr
tags: pitr
exam: Restores create a new database

Q: Which two are true?
- [x] One
  why: yes
- [x] Two
  why: yes
- [ ] Three
  why: no
"""


def test_a_block_gives_question_cards_with_their_fields_and_the_blocks_defaults():
    first, second = parse_questions(BLOCK, first_line=5)
    assert first.kind == second.kind == QUESTION
    assert (
        first.front
        == "A company must get a dropped table back.\nWhich solution meets these requirements?"
    )
    assert [option.correct for option in parse_options(first.back)] == [False, True, False]
    assert (first.key, first.section, first.exam) == (
        "restore-table",
        "pitr",
        "Restores create a new database",
    )
    assert first.tags == ["restore", "pitr"]
    assert first.line == 8
    assert (second.section, second.tags, second.line) == ("restore-paths", ["restore"], 21)
    assert [option.correct for option in parse_options(second.back)] == [True, True, False]


def test_a_question_is_one_prompt_whose_back_is_its_options():
    question = parse_questions(BLOCK)[0]
    (prompt,) = prompts_for(QUESTION, question.front, question.back)
    assert (prompt.front, prompt.back) == (question.front, question.back)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "stray\nQ: s\n- [x] a\n  why: b\n- [ ] c\n  why: d\n- [ ] e\n  why: f",
            "line 1: expected a question",
        ),
        ("Q: stem only", "line 1: the question has no options"),
        ("Q: s\n- [x] a\n  why: b\n- [ ] c\n  why: d", "line 2: a question needs 3 to 6 options"),
        ("Q: s\n- [x] a\n- [ ] c\n  why: d\n- [ ] e\n  why: f", "line 2: option A has no 'why:'"),
        (
            "Q: s\n- [x] a\n  why: b\n- [ ] c\n  why: d\n- [ ] e\n  why: f\nid: Bad",
            "line 8: id 'Bad'",
        ),
        (
            "Q:\n- [x] a\n  why: b\n- [ ] c\n  why: d\n- [ ] e\n  why: f",
            "line 1: the question's stem is empty",
        ),
        (
            "Q: s\nsection: pitr\n- [x] a\n  why: b\n- [ ] c\n  why: d\n- [ ] e\n  why: f",
            "line 2: fields go after the options: 'section' is read as the stem",
        ),
    ],
)
def test_bad_questions_name_the_line(text, message):
    with pytest.raises(CardsError) as caught:
        parse_questions(text)
    assert message in str(caught.value)


def test_every_bad_question_of_a_block_is_reported_at_once():
    text = (
        "Q: one\n- [x] a\n  why: b\n\n"
        "Q: two\n- [ ] a\n  why: b\n- [ ] c\n  why: d\n- [ ] e\n  why: f"
    )
    with pytest.raises(CardsError) as caught:
        parse_questions(text)
    assert [problem.line for problem in caught.value.problems] == [2, 6]  # each at its first option


def test_a_question_written_in_the_admin_is_checked_like_one_in_a_note():
    from flashcards.cards import CardSpec

    with pytest.raises(CardsError, match="no option is marked right"):
        check_card(
            CardSpec(
                kind=QUESTION,
                front="Stem",
                back="- [ ] a\n  why: b\n- [ ] c\n  why: d\n- [ ] e\n  why: f",
            )
        )
