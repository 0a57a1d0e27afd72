"""What is indexed: plain text cut from lessons, cards and trees (no database)."""

from __future__ import annotations

from portal.markdown import render_markdown
from search.text import (
    card_document,
    clean,
    html_to_text,
    lesson_documents,
    split_sections,
    tree_document,
)
from tests.conftest import SIMPLE_TREE

BODY = """Opening words.

## First part

Text of the **first** part.

### A detail

| Name | Value |
|---|---|
| alpha | beta |

## Second part

`<script>alert(1)</script>` shown as code, & an ampersand.
"""


def test_sections_are_cut_at_anchored_h2_and_h3_headings():
    sections = split_sections(render_markdown(BODY).html)
    assert [(s.anchor, s.heading) for s in sections] == [
        ("", ""),
        ("first-part", "First part"),
        ("a-detail", "A detail"),
        ("second-part", "Second part"),
    ]
    assert sections[0].text == "Opening words."
    assert sections[1].text == "Text of the first part."


def test_text_is_plain_with_words_kept_apart_and_entities_decoded():
    sections = split_sections(render_markdown(BODY).html)
    assert sections[2].text == "Name Value alpha beta"  # table cells do not run together
    assert sections[3].text == "<script>alert(1)</script> shown as code, & an ampersand."


def test_lesson_documents_open_with_the_lesson_title_and_summary():
    documents = lesson_documents(
        title="Backups", summary="All about backups.", body_html=render_markdown(BODY).html
    )
    opening = documents[0]
    assert (opening.title, opening.anchor, opening.body) == (
        "Backups",
        "",
        "All about backups. Opening words.",
    )
    assert [(d.title, d.anchor, d.position) for d in documents[1:]] == [
        ("First part", "first-part", 1),
        ("A detail", "a-detail", 2),
        ("Second part", "second-part", 3),
    ]
    assert {d.context for d in documents} == {"Backups"}


def test_a_cloze_card_is_indexed_with_its_deletions_filled_in():
    document = card_document(
        kind="cloze",
        front="Aurora MySQL restores need {{c1::Percona XtraBackup::a tool}} from {{c2::S3}}.",
        back="An *extra* note.",
        section="into-aurora-mysql",
        lesson_title="Restore paths",
    )
    assert document.title == "Aurora MySQL restores need Percona XtraBackup from S3."
    assert document.body == "An extra note."
    assert (document.anchor, document.context) == ("into-aurora-mysql", "Restore paths")


def test_a_basic_card_is_its_front_and_back_as_plain_text():
    document = card_document(
        kind="basic",
        front="What is **PITR**?",
        back="Point-in-time\nrestore.",
        section="",
        lesson_title="Backups",
    )
    assert (document.title, document.body) == ("What is PITR?", "Point-in-time restore.")


def test_a_tree_holds_its_questions_answers_reasons_and_outcomes():
    document = tree_document(title="Which way?", intro="Pick a way.", definition=SIMPLE_TREE)
    assert document.title == "Which way?"
    for text in (
        "Pick a way.",
        "Are you sure?",
        "Left is shorter.",
        "You went right",
        "Left is fine.",
    ):
        assert text in document.body


def test_a_tree_whose_definition_does_not_parse_is_indexed_by_title_and_intro():
    document = tree_document(title="Broken", intro="Intro.", definition="? not a key: x\n- y")
    assert (document.title, document.body) == ("Broken", "Intro.")


def test_content_cannot_carry_the_highlight_sentinels_in():
    assert clean("a\ue000b\ue001  c\n") == "ab c"
    assert html_to_text("<p>x\ue000y</p>") == "xy"


QUESTION_BACK = """- [ ] Restore the latest manual snapshot.
  why: A snapshot is always restored to a new DB instance.
- [x] Restore to a point in time.
  why: Point-in-time recovery restores to any second of the retention period.
- [ ] Rewind with Backtrack.
  why: Backtrack is for Aurora MySQL only."""


def test_a_question_is_its_stem_and_option_texts_never_its_whys_or_marks():
    document = card_document(
        kind="question",
        front="A table was dropped. Which gets its rows back?",
        back=QUESTION_BACK,
        section="",
        lesson_title="Backups",
    )
    assert document.title == "A table was dropped. Which gets its rows back?"
    assert document.body == (
        "Restore the latest manual snapshot. Restore to a point in time. Rewind with Backtrack."
    )
    assert "why" not in document.body and "[x]" not in document.body
