"""A note's body as units: sentences and bullets with their context. Pure, no database."""

from __future__ import annotations

from notes.units import markdown, note_units, plain


def units(body: str):
    return [
        (plain(unit.pieces), unit.context, unit.exam, unit.section, unit.line)
        for unit in note_units(body)
    ]


def test_sentences_and_bullets_are_units_with_heading_and_label_as_context():
    body = (
        "## Automated backups\n\nDaily. Kept **7 days** by default.\n\n"
        "**Retention**\n\n- From 1 to 35 days.\n"
    )

    assert units(body) == [
        ("Daily.", "Automated backups", False, "automated-backups", 2),
        ("Kept 7 days by default.", "Automated backups", False, "automated-backups", 2),
        ("From 1 to 35 days.", "Automated backups › Retention", False, "automated-backups", 6),
    ]


def test_headings_the_epigraph_code_tables_and_labels_are_not_units():
    body = (
        "> An epigraph.\n\n---\n\n# Heading\n\n```\ncode: here\n```\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\nHow it works:\n\n- Copy-on-write.\n"
    )

    assert [text for text, *_ in units(body)] == ["Copy-on-write."]


def test_a_term_definition_unit_is_split_at_its_colon():
    [unit] = note_units("## Part\n\n- Retention: **1–35 days**\n")

    term, definition = unit.term
    assert plain(term) == "Retention"
    assert markdown(definition) == "**1–35 days**"


def test_not_a_term_a_time_or_a_remark():
    bodies = ["- At 10:30 it runs.\n", "- Note: it runs.\n", "- A sentence. Then: more.\n"]

    assert [unit.term for body in bodies for unit in note_units(body)] == [None] * 4


def test_an_exam_heading_label_or_bullet_makes_exam_units_and_is_no_context():
    body = (
        "## Backups\n\n### Exam anchors\n\n- RDS: can be disabled\n\n"
        "## Cloning\n\n- Exam: clones are **fast**\n- Plain fact.\n"
    )

    assert [(text, context, exam) for text, context, exam, *_ in units(body)] == [
        ("RDS: can be disabled", "Backups", True),
        ("clones are fast", "Cloning", True),
        ("Plain fact.", "Cloning", False),
    ]
