"""Cards suggested from a note's own emphasis: pure rules, no database."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from flashcards.cards import BASIC, CLOZE, REVERSED, CardSpec, check_card, prompts_for
from notes.parser import parse_note, read_note
from notes.suggest import BOLD, DEFINITION, EXAM_ANCHOR, suggest_cards
from tests.notes.conftest import CARDS, TREE, note_text

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_9c0c93229a521c5e.txt"


def suggest(body: str, **options):
    return suggest_cards(parse_note(note_text(body=body)), **options)


def faces(suggestions) -> list[tuple[str, str, str, str]]:
    return [(s.rule, s.kind, s.front, s.back) for s in suggestions]


# The bold rule


def test_a_bold_phrase_is_a_cloze_of_it_in_its_heading_section():
    [card] = suggest("## Restore paths\n\nRestoring creates a **new** DB instance.\n")

    assert (card.rule, card.kind) == (BOLD, CLOZE)
    assert card.front == "Restore paths — Restoring creates a {{c1::new}} DB instance."
    assert card.back == ""
    assert card.section == "restore-paths"
    assert card.source == "Restoring creates a **new** DB instance."


def test_each_sentence_of_a_paragraph_is_its_own_unit_with_its_own_line():
    text = note_text(
        body="## Part\n\nRDS keeps **1 to 35** days. It is free.\nAurora keeps **the same**, e.g. "
        "Backtrack aside.\n"
    )
    note = parse_note(text)
    cards = suggest_cards(note)

    assert [c.front for c in cards] == [
        "Part — RDS keeps {{c1::1 to 35}} days.",
        "Part — Aurora keeps {{c1::the same}}, e.g. Backtrack aside.",
    ]
    lines = text.split("\n")
    assert "RDS keeps" in lines[cards[0].line - 1]
    assert "Aurora keeps" in lines[cards[1].line - 1]


def test_several_bold_phrases_give_one_card_with_the_first_two_as_deletions():
    [card] = suggest("## Part\n\n- **RDS** keeps **35 days**, Aurora **35 days** too, **free**.\n")

    # "35 days" appears twice, so blanking either would show its own answer: left bold.
    assert card.front == (
        "Part — {{c1::RDS}} keeps **35 days**, Aurora **35 days** too, {{c2::free}}."
    )
    assert [p.front for p in prompts_for(card.kind, card.front, card.back)] == [
        "Part — <mark>[…]</mark> keeps **35 days**, Aurora **35 days** too, free.",
        "Part — RDS keeps **35 days**, Aurora **35 days** too, <mark>[…]</mark>.",
    ]


def test_a_bold_phrase_the_sentence_repeats_is_not_a_card():
    assert suggest("## Part\n\n- **RDS** snapshots are RDS snapshots.\n") == []


def test_a_bold_phrase_the_context_names_is_not_blanked():
    assert suggest("## Aurora\n\n- **Aurora** keeps backups.\n") == []


def test_a_bullet_all_bold_is_a_basic_card_asking_its_context_not_a_whole_cloze():
    body = "## Cloning\n\nHow it works:\n\n- **copy-on-write**\n- shares storage\n"

    assert faces(suggest(body)) == [(BOLD, BASIC, "Cloning › How it works?", "copy-on-write")]


def test_an_all_bold_sentence_with_no_context_is_skipped():
    text = "# Backups\n\n**Source:** S\n**Theme:** T\n\n- **Cannot be disabled**.\n"

    assert suggest_cards(parse_note(text)) == []


def test_a_deletion_that_would_break_the_cloze_syntax_is_not_made():
    assert suggest("## Part\n\n- Use **`a::b`** here.\n") == []


# The definition rule


def test_a_term_definition_bullet_is_a_basic_card_from_its_heading_and_label():
    body = "### Aurora backups\n**Automated backups**\n- Retention: 1 to 35 days.\n"

    [card] = suggest(body)

    assert (card.rule, card.kind) == (DEFINITION, BASIC)
    assert card.front == "Aurora backups › Automated backups — Retention?"
    assert card.back == "1 to 35 days"
    assert card.section == "aurora-backups"


def test_a_definition_all_bold_is_one_basic_card_not_a_cloze_too():
    [card] = suggest("## Aurora backups\n\n- Retention: **1–35 days**.\n")

    assert faces([card]) == [(DEFINITION, BASIC, "Aurora backups — Retention?", "1–35 days")]


def test_a_definition_partly_bold_is_one_cloze_of_the_bold_with_the_term_in_view():
    [card] = suggest("## Restore from S3\n\n- **Aurora MySQL**: requires **Percona XtraBackup**.\n")

    assert faces([card]) == [
        (BOLD, CLOZE, "Restore from S3 — Aurora MySQL: requires {{c1::Percona XtraBackup}}.", "")
    ]


def test_a_bold_term_with_a_plain_definition_is_a_basic_card():
    cards = suggest("## Restore from S3\n\n- **RDS MySQL**: upload a backup to S3, then restore.\n")

    assert faces(cards) == [
        (DEFINITION, BASIC, "Restore from S3 — RDS MySQL?", "upload a backup to S3, then restore")
    ]


def test_a_one_line_paragraph_can_be_a_definition():
    cards = suggest("## Aurora cloning\n\nPurpose: a fast copy of a cluster.\n")

    assert faces(cards) == [
        (DEFINITION, BASIC, "Aurora cloning — Purpose?", "a fast copy of a cluster")
    ]


def test_no_definition_whose_answer_is_in_its_prompt():
    assert suggest("## Snapshots\n\n- Manual snapshots: snapshots\n") == []


def test_what_is_not_a_term_gives_no_definition():
    body = (
        "## Part\n\n"
        "- Backups run at 10:30 each day.\n"
        "- A rather long sentence with many words in it: and then more.\n"
        "- Done. Then: more.\n"
    )

    assert suggest(body) == []


def test_a_term_that_says_something_is_half_a_sentence_and_its_definition_the_cloze():
    body = (
        "## Snapshots\n\n- Useful for “use occasionally”: snapshot → delete → restore\n"
        "- Can be shared: with other accounts\n\n"
        "## Exam anchors\n\n- Good for staging: cloning\n"
    )

    assert faces(suggest(body)) == [
        (
            DEFINITION,
            CLOZE,
            "Snapshots — Useful for “use occasionally”: {{c1::snapshot → delete → restore}}",
            "",
        ),
        (DEFINITION, CLOZE, "Snapshots — Can be shared: {{c1::with other accounts}}", ""),
        (EXAM_ANCHOR, CLOZE, "Good for staging: {{c1::cloning}}", ""),
    ]


# The exam-anchor rule


EXAM_ANCHORS = """## Exam anchors (backup/restore)
- RDS automated backups: **can be disabled**
- Manual snapshots: retained indefinitely
- Restoring always makes a **new** instance
- Nothing bold here
"""


def test_exam_anchor_lists_give_cloze_and_reversed_cards_with_their_exam_line():
    cards = suggest(EXAM_ANCHORS)

    assert [(c.rule, c.kind, c.front, c.back, c.exam) for c in cards] == [
        (
            EXAM_ANCHOR,
            CLOZE,
            "RDS automated backups: {{c1::can be disabled}}",
            "",
            "RDS automated backups: can be disabled",
        ),
        (
            EXAM_ANCHOR,
            REVERSED,
            "Manual snapshots",
            "retained indefinitely",
            "Manual snapshots: retained indefinitely",
        ),
        (
            EXAM_ANCHOR,
            CLOZE,
            "Restoring always makes a {{c1::new}} instance",
            "",
            "Restoring always makes a new instance",
        ),
    ]
    assert {c.section for c in cards} == {"exam-anchors-backuprestore"}


def test_an_exam_label_under_a_heading_keeps_the_heading_as_context():
    body = "## Aurora\n\n**Exam anchors**\n- Backups: **cannot be disabled**\n"

    [card] = suggest(body)

    assert card.front == "Aurora — Backups: {{c1::cannot be disabled}}"
    assert card.rule == EXAM_ANCHOR


def test_exam_tips_are_exam_anchors():
    body = (
        "## Part\n\nExam: Aurora automated backups **cannot** be disabled.\n\n"
        '!!! exam "On the exam"\n    Snapshots: kept **until deleted**.\n'
    )

    assert [(c.rule, c.front, c.exam) for c in suggest(body)] == [
        (
            EXAM_ANCHOR,
            "Part — Aurora automated backups {{c1::cannot}} be disabled.",
            "Aurora automated backups cannot be disabled.",
        ),
        (
            EXAM_ANCHOR,
            "Part — Snapshots: kept {{c1::until deleted}}.",
            "Snapshots: kept until deleted.",
        ),
    ]


# What never gives a suggestion


def test_nothing_from_headings_the_epigraph_code_or_tables():
    text = (
        "# Backups\n\n**Source:** S\n**Theme:** T\n\n> The **epigraph** is a quote.\n\n---\n\n"
        "## The **bold** heading\n\n```\ncode with **bold**\n```\n\n"
        "| a | b |\n|---|---|\n| **x** | y |\n\n    indented **code**\n"
    )

    assert suggest_cards(parse_note(text)) == []


def test_a_block_quote_after_the_epigraph_is_read():
    [card] = suggest("## Part\n\n> Snapshots are kept **forever**.\n")

    assert card.front == "Part — Snapshots are kept {{c1::forever}}."


def test_a_bold_label_is_context_not_a_card():
    body = "## Encryption\n\n**At-rest**\n- uses **KMS** keys\n\n**In-flight**\n- uses **TLS**\n"

    assert [c.front for c in suggest(body)] == [
        "Encryption › At-rest — uses {{c1::KMS}} keys",
        "Encryption › In-flight — uses {{c1::TLS}}",
    ]


def test_a_label_holds_for_the_lists_under_it_only():
    body = "## Part\n\n**Label**\n- a **first** fact\n\nProse with a **second** fact.\n"

    assert [c.front for c in suggest(body)] == [
        "Part › Label — a {{c1::first}} fact",
        "Part — Prose with a {{c1::second}} fact.",
    ]


def test_a_list_item_holding_a_list_is_the_context_of_its_items():
    body = "## Encryption\n\n- inheritance rule:\n  - a master's key is **KMS**'s\n"

    assert [c.front for c in suggest(body)] == [
        "Encryption › inheritance rule — a master's key is {{c1::KMS}}'s"
    ]


# Duplicates


def test_no_duplicate_of_an_existing_card():
    body = "## Part\n\n- Retention: **1–35 days**.\n- Restoring creates a **new** instance.\n"
    existing = [
        CardSpec(kind=BASIC, front="Retention?", back="1–35 days."),
        CardSpec(kind=CLOZE, front="Part — restoring creates a {{c1::new}} instance"),
    ]

    assert suggest(body, existing=existing) == []


def test_no_duplicate_of_a_card_written_in_the_note():
    body = f"## Part\n\n- A **cloze** card.\n\n{CARDS}\n"

    assert suggest(body) == []


def test_the_same_sentence_under_two_headings_gives_two_cards():
    body = "## RDS\n\n- Retention: **1–35 days**.\n\n## Aurora\n\n- Retention: **1–35 days**.\n"

    assert [c.front for c in suggest(body)] == ["RDS — Retention?", "Aurora — Retention?"]


# Keys and lines


def test_a_key_stays_while_the_sentence_does_and_changes_with_it():
    [first] = suggest("## Part\n\n- Restoring creates a **new** instance.\n")
    [moved] = suggest(
        "## Part\n\nSome prose first.\n\n-   Restoring creates a  **new**  instance.\n"
    )
    [changed] = suggest("## Part\n\n- Restoring creates a **fresh** instance.\n")
    [elsewhere] = suggest("## Other part\n\n- Restoring creates a **new** instance.\n")

    assert first.key == moved.key
    assert first.line != moved.line
    assert changed.key != first.key
    assert elsewhere.key != first.key
    assert re.fullmatch(r"[0-9a-f]{32}", first.key)


def test_lines_are_the_notes_even_after_a_flashcards_block():
    text = note_text(body=f"## Part\n\n{CARDS}\n\n- A **bold** fact.\n")
    note = parse_note(text)

    [card] = suggest_cards(note)

    assert text.split("\n")[card.line - 1] == "- A **bold** fact."


def test_a_suggestions_line_is_its_line_in_the_file_below_fields_cards_and_a_tree():
    body = f"## Part\n\n{CARDS}\n\n{TREE}\n\nIntro.\n\n{CARDS}\n\n- A **bold** fact.\n"
    text = "\n\n\n" + note_text(body=body, source="Somewhere", theme="Backups")
    note = parse_note(text)

    [card] = suggest_cards(note)

    assert card.line == text.split("\n").index("- A **bold** fact.") + 1
    assert card.line > 30  # a count in the body, which has lost both blocks, would be far less


# The study note the bundled content came from


def seed_suggestions():
    data = SEED.read_bytes()
    note = read_note(data)
    return suggest_cards(note)


SEED_SUGGESTIONS = [
    (DEFINITION, BASIC, "RDS backups › Automated backups — Retention?", "1–35 days"),
    (
        BOLD,
        CLOZE,
        "RDS backups › Automated backups — Can be disabled by setting retention to {{c1::0}}.",
        "",
    ),
    (
        DEFINITION,
        CLOZE,
        "RDS backups › Manual snapshots — Useful for “use occasionally” cost pattern: "
        "{{c1::snapshot → delete DB → restore when needed}}",
        "",
    ),
    (DEFINITION, BASIC, "Aurora backups › Automated backups — Retention?", "1–35 days"),
    (
        BOLD,
        CLOZE,
        "Restore from backups/snapshots — Restoring creates a {{c1::new}} DB/cluster "
        "(RDS or Aurora).",
        "",
    ),
    (
        DEFINITION,
        BASIC,
        "Restore from S3 — RDS MySQL?",
        "on-prem backup → upload to S3 → restore to RDS MySQL",
    ),
    (
        DEFINITION,
        BASIC,
        "Aurora database cloning — Purpose?",
        "fast copy of a cluster (e.g., staging from prod)",
    ),
    (BOLD, BASIC, "Aurora database cloning › How it works?", "copy-on-write"),
    (EXAM_ANCHOR, CLOZE, "RDS automated backups: {{c1::can be disabled}}", ""),
    (EXAM_ANCHOR, CLOZE, "Aurora automated backups: {{c1::cannot be disabled}}", ""),
    (EXAM_ANCHOR, REVERSED, "Manual snapshots", "retained indefinitely (both)"),
    (EXAM_ANCHOR, REVERSED, "Aurora cloning", "fast alternative to snapshot restore"),
    (EXAM_ANCHOR, CLOZE, "S3 restore: Aurora MySQL needs {{c1::Percona XtraBackup}}", ""),
    (
        BOLD,
        CLOZE,
        "Encryption › At-rest — encrypts storage volumes (master + replicas) using {{c1::KMS}}",
        "",
    ),
    (
        BOLD,
        CLOZE,
        "Network access — controlled by {{c1::Security Groups}} (ports, CIDRs, SG-to-SG rules)",
        "",
    ),
    (
        BOLD,
        CLOZE,
        "Managed service constraints — exception: {{c1::RDS Custom}} supports OS access",
        "",
    ),
    (BOLD, CLOZE, "Audit logs — send to {{c1::CloudWatch Logs}} for retention/analysis", ""),
]


def test_the_seed_notes_suggestions():
    assert faces(seed_suggestions()) == SEED_SUGGESTIONS


def test_the_seed_notes_suggestions_are_cards_at_their_lines_and_sections():
    lines = SEED.read_text(encoding="utf-8").split("\n")
    suggestions = seed_suggestions()

    for suggestion in suggestions:
        check_card(suggestion.card())
        assert re.sub(r"\W", "", suggestion.source) in re.sub(r"\W", "", lines[suggestion.line - 1])
    assert len({s.key for s in suggestions}) == len(suggestions)
    assert [s.section for s in suggestions[:5]] == ["rds-backups"] * 3 + [
        "aurora-backups",
        "restore-from-backupssnapshots",
    ]


def test_the_seed_notes_exam_anchors_and_bold_facts_are_all_covered():
    text = SEED.read_text(encoding="utf-8")
    suggestions = seed_suggestions()
    anchors = text.split("## Exam anchors (backup/restore)\n")[1].split("\n\n")[0].split("\n")
    # Bold starting a line is a field ("**Theme:**") or a label ("**Automated backups**").
    bold = {
        phrase
        for line in text.split("\n")
        if not line.startswith("**")
        for phrase in re.findall(r"\*\*([^*]+)\*\*", line)
    }
    # Covered: on some card, whatever its case ("**Cannot be disabled**" is on the exam
    # anchor's card, "Aurora automated backups: {{c1::cannot be disabled}}").
    said = " ".join(f"{s.front} {s.back}" for s in suggestions).casefold()

    assert len(anchors) == 5
    assert sorted(re.sub(r"\*\*", "", a).removeprefix("- ") for a in anchors) == sorted(
        s.exam for s in suggestions if s.rule == EXAM_ANCHOR
    )
    assert len(bold) == 14
    assert not {phrase for phrase in bold if phrase.casefold() not in said}


# Whatever the note


LINES = [
    "",
    "## Exam anchors",
    "### A **bold** heading",
    "**Label**",
    "How it works:",
    "- Term: **bold** definition.",
    "- **Term**: plain definition",
    "- **all bold**",
    "  - nested: **deep** `code::x` {{c1::not a cloze}}",
    "1) Retention: **0**. Next **sentence** here.",
    "> quoted **bold**",
    "---",
    "Exam: **exam** tip.",
    "!!! exam",
    "    Inside: **box**",
    "| **a** | b |",
    "```",
    "[a **link**](https://example.com) and ![img](/x.png) **[x](y)**",
    "**unclosed bold",
    "text with \\*escapes\\* & &amp; <b>html</b> and **b** _u_ e.g. **x**.",
]


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(st.lists(st.sampled_from(LINES), max_size=25))
def test_any_body_gives_cards_that_check(lines):
    for suggestion in suggest("\n".join(["## Part", "", *lines]) + "\n"):
        check_card(suggestion.card())
        assert suggestion.rule in (BOLD, DEFINITION, EXAM_ANCHOR)
        assert suggestion.line > 0


def test_a_bold_sentence_ends_at_its_own_full_stop():
    body = "## Part\n\n- **A daily backup.** RDS keeps **logs** too.\n"

    assert faces(suggest(body)) == [
        (BOLD, BASIC, "Part?", "A daily backup"),
        (BOLD, CLOZE, "Part — RDS keeps {{c1::logs}} too.", ""),
    ]


def test_a_body_card_testing_what_an_exam_anchor_tests_is_left_to_the_anchor():
    body = (
        "## Aurora backups\n\n**Automated backups**\n\n- **Cannot be disabled**\n"
        "- Retention: **0** is refused.\n\n## Cloning\n\n"
        "- Clones: **cannot be disabled** either, like logs.\n\n"
        "## Exam anchors\n\n- Aurora automated backups: **cannot be disabled**\n"
        "- Aurora retention: **0**\n"
    )

    assert [(s.rule, s.front) for s in suggest(body)] == [
        # "0" answers many questions: one word is not enough to call two cards the same.
        (BOLD, "Aurora backups › Automated backups — Retention: {{c1::0}} is refused."),
        # The same answer, asked of something else (few of the anchor's words).
        (BOLD, "Cloning — Clones: {{c1::cannot be disabled}} either, like logs."),
        (EXAM_ANCHOR, "Aurora automated backups: {{c1::cannot be disabled}}"),
        (EXAM_ANCHOR, "Aurora retention: {{c1::0}}"),
    ]


def test_one_front_with_two_answers_is_no_card():
    body = (
        "## Steps\n\n1. **Take a snapshot.**\n2. **Copy it encrypted.**\n3. Retention: **7 days**\n"
    )

    assert faces(suggest(body)) == [(DEFINITION, BASIC, "Steps — Retention?", "7 days")]


def test_an_exam_bullet_is_an_exam_anchor_and_a_note_is_no_term():
    body = (
        "## Aurora\n\n- Exam: backups **cannot** be disabled.\n"
        "- Exam: Snapshots: kept forever\n- Note: clones are **fast**.\n"
    )

    assert [(c.rule, c.kind, c.front, c.back, c.exam) for c in suggest(body)] == [
        (
            EXAM_ANCHOR,
            CLOZE,
            "Aurora — backups {{c1::cannot}} be disabled.",
            "",
            "backups cannot be disabled.",
        ),
        (EXAM_ANCHOR, REVERSED, "Aurora — Snapshots", "kept forever", "Snapshots: kept forever"),
        (BOLD, CLOZE, "Aurora — Note: clones are {{c1::fast}}.", "", ""),
    ]


def test_suggestions_stop_at_a_notes_card_limit(monkeypatch):
    monkeypatch.setattr("notes.suggest.MAX_CARDS", 3)
    body = f"## Part\n\n{CARDS}\n\n- One **a**.\n- Two **b**.\n- Three **c**.\n"

    assert [c.front for c in suggest(body)] == ["Part — One {{c1::a}}."]
