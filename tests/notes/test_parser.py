"""The note parser: pure functions, no database."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from notes.parser import MAX_NOTE_BYTES, NoteError, decode_note, parse_note, read_note

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_9c0c93229a521c5e.txt"

# The seed ends its Source line with two spaces (a Markdown line break); keep that here.
NOTE = """# 2026-01-06 — RDS & Aurora Backups

**Source:** A course — AWS SAA\x20\x20
**Theme:** recovery mechanics

> An epigraph.

---

## Backups

Text.
"""


def test_parses_title_date_fields_and_body():
    note = parse_note(NOTE)
    assert note.title == "RDS & Aurora Backups"
    assert note.date == datetime.date(2026, 1, 6)
    assert note.slug == "rds-aurora-backups"
    assert note.source == "A course — AWS SAA"
    assert note.theme == "recovery mechanics"
    assert note.body.startswith("> An epigraph.\n\n---\n\n## Backups")
    assert "**Source:**" not in note.body


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed note is not beside the project")
def test_reads_the_seed_note():
    note = read_note(SEED.read_bytes())
    assert note.title == "RDS & Aurora Backups, Restore, Cloning, and Security"
    assert note.date == datetime.date(2026, 1, 6)
    assert note.source == "Stephane Maarek — AWS SAA"
    assert note.theme == "recovery mechanics + security controls for managed databases"
    assert "## Aurora database cloning" in note.body
    assert note.body.lstrip().startswith(">")


def test_optional_fields():
    note = parse_note(
        "# Title only\n\n**Topic:** Amazon RDS & Aurora\n**Summary:** Short.\n"
        "**Slug:** custom-slug\n**Status:** Draft\n**Order:** 7\n\nBody\n"
    )
    assert note.date is None
    assert (note.topic, note.summary, note.slug, note.status, note.order) == (
        "Amazon RDS & Aurora",
        "Short.",
        "custom-slug",
        "draft",
        7,
    )


@pytest.mark.parametrize("dash", ["—", "–", "-"])
def test_title_dash_variants(dash):
    assert parse_note(f"# 2026-01-06 {dash} Title\n\nBody\n").title == "Title"


def test_windows_line_endings_and_byte_order_mark():
    note = read_note(("\ufeff" + NOTE).replace("\n", "\r\n").encode())
    assert note.title == "RDS & Aurora Backups"
    assert "\r" not in note.body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n\n \t\n", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("# Caf\u00e9\n\nbody".encode("latin-1"), "not UTF-8"),
        (b"# T\n\n" + b"x" * MAX_NOTE_BYTES, "at most 1,048,576 bytes"),
        (b"Just text, no heading\n", "no title"),
        (b"## Second-level heading\n\nbody\n", "no title"),
        (b"# 2026-01-06 \xe2\x80\x94 \n\nbody\n", "no title"),
        (b"# Title\n\n**Source:** x\n", "no content"),
        (b"# 2026-02-30 \xe2\x80\x94 Title\n\nbody\n", "not a real date"),
        (b"# Title\n**Sorce:** x\n\nbody\n", "unknown field 'Sorce'"),
        (b"# Title\n**Source:** a\n**Source:** b\n\nbody\n", "given twice"),
        (b"# Title\n**Status:** live\n\nbody\n", "Status must be"),
        (b"# Title\n**Order:** first\n\nbody\n", "Order must be a whole number"),
        (b"# Title\n**Slug:** Not A Slug\n\nbody\n", "Slug 'Not A Slug'"),
        (b"# ???\n\nbody\n", "no usable slug"),
    ],
)
def test_bad_notes_raise_a_clear_error(data, message):
    with pytest.raises(NoteError) as raised:
        read_note(data)
    assert message in str(raised.value)


def test_errors_name_the_line():
    with pytest.raises(NoteError) as raised:
        parse_note("\n\n# Title\n**Source:** ok\n**Sorce:** typo\n\nbody\n")
    assert [problem.line for problem in raised.value.problems] == [5]
    assert str(raised.value).startswith("line 5: unknown field")


def test_decode_accepts_exactly_the_limit():
    data = b"# T\n\n" + b"x" * (MAX_NOTE_BYTES - 5)
    assert len(decode_note(data)) == MAX_NOTE_BYTES


def test_body_field_lines_after_the_header_stay_in_the_body():
    note = parse_note("# Title\n**Source:** s\n\nIntro.\n\n**Note:** this is prose.\n")
    assert "**Note:** this is prose." in note.body


TREE_BLOCK = """```decision-tree
slug: ways
title: Which way?

? first: Which way?
- Left -> left
- Right -> right

= left: Left
= right: Right
```"""


def test_a_decision_tree_block_becomes_a_tree_and_a_marker_where_it_stood():
    note = parse_note(f"# Title\n\nBefore.\n\n{TREE_BLOCK}\n\nAfter.\n")
    assert [tree.slug for tree in note.trees] == ["ways"]
    assert note.trees[0].spec.nodes["first"].line == 9
    assert note.body == "Before.\n\n[[tree:ways]]\n\nAfter.\n"


def test_a_decision_tree_block_inside_a_code_example_stays_code():
    example = "````markdown\n" + TREE_BLOCK + "\n````"
    note = parse_note(f"# Title\n\n{example}\n")
    assert note.trees == ()
    assert "```decision-tree" in note.body


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            TREE_BLOCK.replace("\n```", "", 1)[:-3],
            "line 3: the decision-tree block opened here is never closed",
        ),
        (
            TREE_BLOCK.replace("? first: Which way?", "? First Node: Which way?"),
            "line 7: decision tree: node key",
        ),
        (
            TREE_BLOCK.replace("title: Which way?\n", ""),
            "line 4: decision tree: a decision-tree block needs a 'title:' line",
        ),
    ],
)
def test_tree_block_errors_name_the_line_in_the_note(block, message):
    with pytest.raises(NoteError) as raised:
        parse_note(f"# Title\n\n{block}\n")
    assert str(raised.value).startswith(message)


def test_markdown_nested_too_deep_is_refused_at_its_line_in_the_note():
    deep = "".join("  " * level + "- x\n" for level in range(25))
    text = NOTE + "\n```flashcards\nQ: a\nA: b\n```\n\n" + deep
    with pytest.raises(NoteError) as raised:
        parse_note(text)
    # Lines count from the note's top, the cards block taken out of the body included.
    first_list_line = text.split("\n").index("- x") + 1
    assert str(raised.value) == (
        f"line {first_list_line + 20}: lists, block quotes and admonitions are nested more "
        "than 20 deep here"
    )


def test_a_note_with_more_cards_than_the_cap_is_refused_at_the_first_card_beyond_it():
    from notes.parser import MAX_CARDS

    cards = "\n\n".join(f"Q: Question {n}?\nA: Answer." for n in range(MAX_CARDS + 1))
    text = NOTE + f"\n```flashcards\n{cards}\n```\n"
    with pytest.raises(NoteError) as raised:
        parse_note(text)
    last_card_line = text.split("\n").index(f"Q: Question {MAX_CARDS}?") + 1
    assert str(raised.value) == (
        f"line {last_card_line}: holds {MAX_CARDS + 1:,} flashcards; a note may hold at most "
        f"{MAX_CARDS:,}: split it into several notes"
    )
    # At the cap, it parses.
    at_cap = NOTE + "\n```flashcards\n" + cards.rsplit("\n\nQ:", 1)[0] + "\n```\n"
    assert len(parse_note(at_cap).cards) == MAX_CARDS


def test_a_note_with_more_trees_than_the_cap_is_refused():
    from notes.parser import MAX_TREES

    tree = (
        "```decision-tree\nslug: t{n}\ntitle: T\n\n"
        "? q: Q?\n- A -> a\n- B -> b\n\n= a: A\n= b: B\n```"
    )
    text = NOTE + "\n" + "\n\n".join(tree.format(n=n) for n in range(MAX_TREES + 1)) + "\n"
    with pytest.raises(NoteError) as raised:
        parse_note(text)
    assert f"holds {MAX_TREES + 1} decision trees; a note may hold at most {MAX_TREES}" in str(
        raised.value
    )


def test_every_block_of_a_note_reports_its_problems_at_once():
    text = (
        "# Title\n\n## Part\n\n"
        "```flashcards\nQ: No back\n```\n\n"
        "```decision-tree\nslug: ways\n```\n\n"
        "```flashcards\nC: No deletion\n```\n"
    )
    with pytest.raises(NoteError) as raised:
        parse_note(text)
    lines = raised.value.lines()
    assert lines[0] == "line 6: flashcards: the card has no back: add an 'A:' line"
    assert lines[-1] == "line 14: flashcards: a cloze card needs at least one {{c1::...}} deletion"
    assert lines[1] == "line 10: decision tree: a decision-tree block needs a 'title:' line"


def test_a_questions_block_becomes_question_cards_and_leaves_the_body():
    note = parse_note(
        "# Title\n\nBody.\n\n```questions\nQ: Which?\n- [x] a\n  why: b\n- [ ] c\n  why: d\n"
        "- [ ] e\n  why: f\n```\n\n```flashcards\nQ: Front\nA: Back\n```\n"
    )
    assert [card.kind for card in note.cards] == ["question", "basic"]
    assert "Which?" not in note.body and "questions" not in note.body


def test_a_bad_questions_block_names_the_note_line():
    with pytest.raises(NoteError) as caught:
        parse_note("# Title\n\nBody.\n\n```questions\nQ: Which?\n- [x] a\n  why: b\n```\n")
    assert "line 7: questions: a question needs 3 to 6 options" in str(caught.value)


def test_the_body_knows_the_note_line_of_each_of_its_lines():
    text = (
        "\n# 2026-01-06 — Title\n\n**Source:** Book\n\n\n## Part\n\n"
        f"{TREE_BLOCK}\n\n```flashcards\nQ: One?\nA: Yes.\n```\nLast line.\n"
    )
    note = parse_note(text)
    lines = text.split("\n")

    body = note.body.split("\n")
    assert len(note.body_lines) == len(body)
    for line, number in zip(body, note.body_lines, strict=True):
        if line.startswith("[[tree:"):
            assert lines[number - 1] == "```decision-tree"
        elif line:
            assert lines[number - 1] == line
    assert note.body_lines[body.index("Last line.")] == lines.index("Last line.") + 1
