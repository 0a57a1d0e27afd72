"""The flashcards text format and the prompts each card yields. No database."""

from __future__ import annotations

import pytest

from flashcards.cards import (
    BASIC,
    CLOZE,
    REVERSED,
    CardsError,
    Deletion,
    cloze_deletions,
    parse_cards,
    prompts_for,
)

BLOCK = """\
tags: backups
section: automated-backups

Q: How long can RDS keep automated backups?
A: 1 to 35 days.
section: automated-backups-on-rds
tags: retention, Exam-Anchor

R: Aurora cloning
A: A fast copy that shares storage
through copy-on-write.

C: Into Aurora MySQL from S3 needs {{c1::Percona XtraBackup::a tool}} and {{c2::a bucket}}.
"""


def test_parses_every_kind_with_defaults_and_overrides():
    basic, reversed_card, cloze = parse_cards(BLOCK, first_line=10)
    assert (basic.kind, basic.front, basic.back) == (
        BASIC,
        "How long can RDS keep automated backups?",
        "1 to 35 days.",
    )
    assert basic.tags == ["backups", "retention", "exam-anchor"]
    assert basic.section == "automated-backups-on-rds"
    assert basic.line == 13
    assert reversed_card.kind == REVERSED and reversed_card.section == "automated-backups"
    assert reversed_card.back == "A fast copy that shares storage\nthrough copy-on-write."
    assert cloze.kind == CLOZE and cloze.back == ""


def test_an_exam_line_is_the_cards_own_and_ends_a_multi_line_field():
    first, second = parse_cards(
        "Q: Can Aurora automated backups be disabled?\n"
        "A: No.\n"
        "Unlike RDS.\n"
        "exam: Aurora automated backups cannot be disabled.   \n"
        "tags: aurora\n"
        "\n"
        "Q: Second\n"
        "A: Back\n"
        "Exam: capitalised, so part of the back (and a box when rendered).\n"
    )
    assert first.exam == "Aurora automated backups cannot be disabled."
    assert first.back == "No.\nUnlike RDS."
    assert first.tags == ["aurora"]
    assert second.exam == ""
    assert second.back.endswith("Exam: capitalised, so part of the back (and a box when rendered).")
    assert parse_cards("Q: F\nA: B\nexam: " + "x" * 200 + "\n")[0].exam == "x" * 200


def test_a_basic_card_is_one_prompt_and_a_reversed_card_two():
    assert [(p.ordinal, p.front, p.back) for p in prompts_for(BASIC, "F", "B")] == [(1, "F", "B")]
    assert [(p.ordinal, p.front, p.back) for p in prompts_for(REVERSED, "F", "B")] == [
        (1, "F", "B"),
        (2, "B", "F"),
    ]


def test_a_cloze_card_is_one_prompt_per_deletion():
    text = "A {{c1::one::hint}} and {{c2::two}} and {{c1::uno}}."
    first, second = prompts_for(CLOZE, text, "Extra.")
    assert first.ordinal == 1
    assert first.front == "A <mark>[hint]</mark> and two and <mark>[…]</mark>."
    assert first.back == "A <mark>one</mark> and two and <mark>uno</mark>.\n\nExtra."
    assert second.front == "A one and <mark>[…]</mark> and uno."
    assert first.content_hash != second.content_hash


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Just words\n", "line 1: expected a card"),
        ("Q: Front\n", "line 1: the card has no back"),
        ("R: \nA: back\n", "line 1: the card's front is empty"),
        ("C: no deletion here\n", "needs at least one {{c1::...}} deletion"),
        ("C: broken {{c1:oops}}\n", "needs at least one"),
        ("C: {{c1::ok}} and {{broken\n", "not a well-formed"),
        ("Q: F\nA: one\nA: two\n", "line 3: a card has two 'A:' lines"),
        ("tags: Not Ok\n", "tag 'not ok'"),
        ("section: Bad Anchor\n", "section 'Bad Anchor' must be a heading anchor"),
        ("Q: F\nA: B\ntags: x\nstray\n", "line 4: text after a card's tags"),
        ("exam: before any card\nQ: F\nA: B\n", "line 1: an 'exam:' line belongs under the card"),
        ("Q: F\nA: B\nexam:\n", "line 3: the exam line is empty"),
        ("Q: F\nA: B\nexam: " + "x" * 201 + "\n", "line 3: the exam line is 201 characters long"),
        ("Q: F\nA: B\nexam: one\nexam: two\n", "line 4: a card has two 'exam:' lines"),
        (
            "Q: F\nA: B\n\nQ: " + "> " * 21 + "deep\nA: B\n",
            "line 4: the card's front: lists, block quotes and admonitions are nested more than 20",
        ),
    ],
)
def test_bad_cards_name_the_line(text, message):
    with pytest.raises(CardsError) as raised:
        parse_cards(text)
    assert message in str(raised.value)


def test_every_bad_line_of_a_block_is_named_at_once():
    text = "Q: Fine?\nA: Yes.\ntags: bad tag!\n\nQ: No back\n\nR: Two backs\nA: One\nA: Two\n"
    with pytest.raises(CardsError) as raised:
        parse_cards(text, first_line=10)
    assert raised.value.lines() == [
        "line 12: tag 'bad tag!' may hold only letters, digits and hyphens",
        "line 14: the card has no back: add an 'A:' line",
        "line 18: a card has two 'A:' lines",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{c1::Aurora}}", [Deletion(0, 14, 1, "Aurora", None)]),
        ("a {{c2::XtraBackup::a tool}} b", [Deletion(2, 28, 2, "XtraBackup", "a tool")]),
        # The text ends at the first "::" or "}}"; the hint runs to the first "}}".
        ("{{c1::a:::b}}", [Deletion(0, 13, 1, "a", ":b")]),
        ("{{c1::a}}b}}", [Deletion(0, 9, 1, "a", None)]),
        ("{{c1::multi\nline}}", [Deletion(0, 18, 1, "multi\nline", None)]),
        # Four digits are no number: not a deletion; neither is one that never closes.
        ("{{c1234::x}}", []),
        ("{{c1::open {{c2::shut}}", [Deletion(0, 23, 1, "open {{c2", "shut")]),
        ("{{c1::never closed", []),
    ],
)
def test_cloze_deletions_are_read_as_written(text, expected):
    assert cloze_deletions(text) == expected


def test_openings_that_never_close_are_read_in_one_pass():
    """60 KB of `{{c1::` and nothing closing: no deletion. The regular expression this replaced
    backtracked in cubic time here (6 KB took 15 s), so this test would not finish."""
    assert cloze_deletions("{{c1::" * 10_000) == []
    with pytest.raises(CardsError, match="at least one"):
        parse_cards("C: " + "{{c1::" * 10_000)
