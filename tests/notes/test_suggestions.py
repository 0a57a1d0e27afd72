"""Suggested cards stored at import and decided on (notes/suggestions.py), through the import
(notes/services.py): proposed once, never again once decided, anew when the sentence changes,
all or nothing, and planned without the write lock."""

from __future__ import annotations

import pytest

from flashcards.cards import CardSpec
from flashcards.models import Card, Prompt
from lessons.models import Lesson
from notes import services
from notes.models import Suggestion
from notes.services import NoteFile, NotesImportError, notes_import, summarize
from notes.suggestions import (
    SuggestionsDecidedMeanwhile,
    SuggestionsInvalid,
    suggestions_accept,
    suggestions_reject,
    suggestions_reopen,
)
from search.models import Entry
from tests.conftest import make_card, make_user
from tests.notes.conftest import note_text

pytestmark = pytest.mark.django_db

RETENTION = "- Retention: **1–35 days**\n"
RESTORING = "- Restoring creates a **new** DB instance.\n"
BODY = (
    f"## Automated backups\n\n{RETENTION}{RESTORING}\n"
    "## Exam anchors\n\n- RDS automated backups: **can be disabled**\n"
    "- Aurora backups: always on\n"
)
FRONTS = [
    "Automated backups — Retention?",
    "Automated backups — Restoring creates a {{c1::new}} DB instance.",
    "RDS automated backups: {{c1::can be disabled}}",
    "Aurora backups",
]


def note(body: str = BODY, name: str = "a.md", **fields) -> NoteFile:
    return NoteFile(name=name, data=note_text(body=body, **fields).encode())


def run(*files: NoteFile, dry_run: bool = False, **options) -> str:
    """The import's report, as the command and the upload show it."""
    options.setdefault("suggest", True)
    result = notes_import(files=files, dry_run=dry_run, **options)
    lines = [change.describe(dry_run=dry_run) for change in result.changes]
    return "\n".join([*lines, summarize(result.changes, dry_run=dry_run)])


def stored() -> list[tuple[str, str]]:
    return [(row.front, row.status) for row in Suggestion.objects.order_by("position")]


def snapshot() -> list[tuple]:
    return list(
        Suggestion.objects.order_by("pk").values_list(
            "pk", "key", "status", "front", "position", "card_id", "decided_at"
        )
    )


# The import ----------------------------------------------------------------------------------


def test_new_suggestions_are_stored_pending_with_their_source_line_and_section():
    text = note_text(body=BODY)
    output = run(note())

    lesson = Lesson.objects.get()
    rows = list(lesson.suggestions.order_by("position"))
    assert [row.front for row in rows] == FRONTS
    assert {row.status for row in rows} == {Suggestion.Status.PENDING}
    first, _, anchor, reverse = rows
    assert (first.kind, first.back, first.rule, first.section) == (
        Card.Kind.BASIC,
        "1–35 days",
        "definition",
        "automated-backups",
    )
    assert first.source == "Retention: **1–35 days**"
    assert text.split("\n")[first.line - 1] == RETENTION.strip()
    assert (anchor.exam, reverse.kind) == ("RDS automated backups: can be disabled", "reversed")
    assert not Card.objects.exists()
    assert "created: suggested cards of backups (4 new, 0 accepted, 0 withdrawn, 4 waiting" in (
        output
    )
    assert "Suggestion sets: created 1, updated 0, unchanged 0." in output


def test_importing_the_same_note_again_proposes_nothing_and_changes_nothing():
    run(note())
    before = snapshot()

    output = run(note())

    assert snapshot() == before
    assert "unchanged: suggested cards of backups  [a.md]" in output


def test_without_suggest_an_import_leaves_suggestions_alone():
    run(note())
    before = snapshot()

    output = run(note(body=BODY.replace(RESTORING, "")), suggest=False)

    assert snapshot() == before
    assert "suggested" not in output


def test_a_rejected_suggestion_is_not_proposed_again():
    run(note())
    lesson = Lesson.objects.get()
    rejected = lesson.suggestions.get(front=FRONTS[1])
    assert suggestions_reject(lesson=lesson, suggestions=[rejected]) == 1

    output = run(note())

    assert stored()[1] == (FRONTS[1], Suggestion.Status.REJECTED)
    assert Suggestion.objects.count() == 4
    assert "unchanged: suggested cards of backups" in output


def test_a_changed_sentence_is_proposed_anew_and_its_old_pending_one_withdrawn():
    run(note())
    lesson = Lesson.objects.get()
    rejected = lesson.suggestions.get(front=FRONTS[0])
    suggestions_reject(lesson=lesson, suggestions=[rejected])
    changed = RESTORING.replace("**new**", "**fresh**")

    output = run(note(BODY.replace(RESTORING, changed).replace(RETENTION, "- Retention: 7\n")))

    assert sorted(stored()) == sorted(
        [
            (FRONTS[0], Suggestion.Status.PENDING),  # "Retention: 7", new
            (FRONTS[0], Suggestion.Status.REJECTED),  # a decision is kept, the sentence changed
            (FRONTS[1].replace("new", "fresh"), Suggestion.Status.PENDING),
            (FRONTS[2], Suggestion.Status.PENDING),
            (FRONTS[3], Suggestion.Status.PENDING),
        ]
    )
    assert lesson.suggestions.get(front=FRONTS[0], status="pending").back == "7"
    assert not lesson.suggestions.filter(front=FRONTS[1]).exists()  # pending, gone: withdrawn
    assert "updated: suggested cards of backups (2 new, 0 accepted, 1 withdrawn" in output


def test_waiting_suggestions_follow_the_note_s_order_and_lines_when_it_changes():
    run(note())
    added = "- Copies: **cross-Region**\n"
    run(note(BODY.replace("## Automated backups\n\n", f"## Automated backups\n\n{added}\n")))

    waiting = Suggestion.objects.pending().order_by("position", "pk")
    assert [row.front for row in waiting] == [
        "Automated backups — Copies?",
        *FRONTS,
    ]
    lines = [row.line for row in waiting]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)


def test_an_accepted_card_stays_when_the_note_is_imported_again_with_or_without_its_sentence():
    run(note())
    lesson = Lesson.objects.get()
    [card] = suggestions_accept(lesson=lesson, suggestions=[lesson.suggestions.get(position=1)])

    run(note())
    run(note(BODY.replace(RESTORING, "")))

    card.refresh_from_db()
    assert card.is_active
    assert card.origin == Card.Origin.SUGGESTION
    assert Card.objects.active().filter(lesson=lesson).count() == 1
    assert lesson.suggestions.get(card=card).status == Suggestion.Status.ACCEPTED


def test_accept_suggestions_makes_studyable_searchable_cards_at_once_and_then_nothing_more():
    output = run(note(), accept_suggestions=True)

    lesson = Lesson.objects.get()
    cards = list(Card.objects.active().filter(lesson=lesson).order_by("position"))
    assert [card.front for card in cards] == FRONTS
    assert {card.origin for card in cards} == {Card.Origin.SUGGESTION}
    assert set(lesson.suggestions.values_list("status", flat=True)) == {"accepted"}
    assert {row.card_id for row in lesson.suggestions.all()} == {card.pk for card in cards}
    # A reversed card has two prompts, the others one: all of them studyable now.
    assert Prompt.objects.studyable().filter(card__lesson=lesson).count() == 5
    assert Entry.objects.filter(kind=Entry.Kind.CARD, card__in=cards).count() == 4
    assert "(4 new, 4 accepted, 0 withdrawn, 0 waiting for a decision)" in output

    before = snapshot()
    again = run(note(), accept_suggestions=True)

    assert snapshot() == before
    assert Card.objects.count() == 4
    assert "unchanged: suggested cards of backups" in again


def test_accept_suggestions_accepts_those_waiting_from_an_earlier_import():
    run(note())

    output = run(note(), accept_suggestions=True)

    assert {status for _, status in stored()} == {Suggestion.Status.ACCEPTED}
    assert Card.objects.filter(origin=Card.Origin.SUGGESTION).count() == 4
    assert "(0 new, 4 accepted, 0 withdrawn, 0 waiting for a decision)" in output


def test_a_suggestion_saying_what_a_card_written_in_the_admin_says_is_not_proposed():
    run(note(), suggest=False)
    lesson = Lesson.objects.get()
    make_card(lesson=lesson, front="Retention?", back="1–35 days", origin=Card.Origin.ADMIN)

    run(note())

    assert [front for front, _ in stored()] == FRONTS[1:]


def test_a_dry_run_reports_the_suggestions_and_writes_nothing():
    output = run(note(), dry_run=True, accept_suggestions=True)

    assert "would create: suggested cards of backups (4 new, 4 accepted" in output
    assert "Dry run: nothing was saved." in output
    assert not Lesson.objects.exists()
    assert not Suggestion.objects.exists() and not Card.objects.exists()


def test_a_dry_run_reports_exactly_what_the_import_then_does():
    run(note())
    changed = note(BODY.replace(RESTORING, "- Restoring takes **minutes**.\n"))

    planned = notes_import(files=[changed], dry_run=True, suggest=True)
    done = notes_import(files=[changed], suggest=True)

    assert planned.changes == done.changes


def test_a_bad_second_file_writes_no_lesson_suggestion_or_card():
    with pytest.raises(NotesImportError) as raised:
        run(note(), NoteFile("bad.md", b"\x00"), accept_suggestions=True)

    assert raised.value.lines()[0].startswith("bad.md: ")
    assert not Lesson.objects.exists()
    assert not Suggestion.objects.exists() and not Card.objects.exists()


def test_suggestions_decided_during_the_import_refuse_it_clearly_and_nothing_is_written(
    monkeypatch,
):
    run(note())
    lesson = Lesson.objects.get()
    planned = services.suggestions_plan

    def decided_meanwhile(**options):
        plan = planned(**options)
        # An instructor rejects one after the plan was made, before the write.
        suggestions_reject(lesson=lesson, suggestions=[lesson.suggestions.first()])
        return plan

    monkeypatch.setattr(services, "suggestions_plan", decided_meanwhile)
    with pytest.raises(NotesImportError) as raised:
        run(note(BODY.replace(RESTORING, "") + "\nNew **text**.\n", summary="Changed"))

    assert raised.value.lines() == [
        "a.md: suggested cards: the lesson's suggestions were decided on during the import; "
        "import it again"
    ]
    lesson.refresh_from_db()
    assert lesson.summary != "Changed"
    assert Suggestion.objects.count() == 4
    assert not Card.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_compute_phase_takes_no_write_lock():
    """While another connection holds the write lock (and, on PostgreSQL, the lesson's and its
    suggestions' rows), an import with suggestions still reads and plans them: a dry run, which
    stops after the compute phase, answers."""
    import threading

    from django.db import connections, transaction

    run(note())
    holding, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        try:
            with transaction.atomic():
                Lesson.objects.select_for_update().get(slug="backups")
                list(Suggestion.objects.select_for_update())
                Lesson.objects.filter(slug="backups").update(summary="held")
                holding.set()
                release.wait(timeout=120)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert holding.wait(timeout=60)
        edited = note(BODY.replace(RESTORING, "- Restoring takes **minutes**.\n"))
        output = run(edited, dry_run=True, accept_suggestions=True)
        # Answered while the lock was still held: the holder only lets go below.
        assert not release.is_set()
        assert "would update: suggested cards of backups (1 new, 4 accepted, 1 withdrawn" in output
    finally:
        release.set()
        holder.join(timeout=60)


def test_the_import_parses_a_notes_body_once_for_rendering_and_suggesting(monkeypatch):
    from portal import markdown

    bodies = []
    parse = markdown.PARSER.parse

    def counting(text, env=None):
        bodies.append(text)
        return parse(text, env)

    monkeypatch.setattr(markdown.PARSER, "parse", counting)
    run(note())

    body = Lesson.objects.get().body
    # Once for the note's nesting check (notes/parser.py), once for rendering and the rules.
    assert bodies.count(body) == 2


# Deciding ------------------------------------------------------------------------------------


def test_accepting_with_an_edit_puts_the_edited_text_on_the_card():
    run(note())
    lesson = Lesson.objects.get()
    first, second = lesson.suggestions.order_by("position")[:2]
    user = make_user()
    edit = CardSpec(kind="basic", front="How long are backups kept?", back="1 to 35 days")

    cards = suggestions_accept(
        lesson=lesson, suggestions=[second, first], edits={first.pk: edit}, user=user
    )

    assert [(card.front, card.back) for card in cards] == [
        ("How long are backups kept?", "1 to 35 days"),
        (FRONTS[1], ""),
    ]
    first.refresh_from_db()
    assert (first.status, first.card, first.decided_by) == ("accepted", cards[0], user)
    assert first.decided_at is not None
    assert Prompt.objects.studyable().filter(card__in=cards).count() == 2


def test_a_bad_edit_is_refused_naming_it_and_nothing_is_saved():
    run(note())
    lesson = Lesson.objects.get()
    first, second = lesson.suggestions.order_by("position")[:2]
    bad = CardSpec(kind="cloze", front="No deletion here.", back="")

    with pytest.raises(SuggestionsInvalid) as raised:
        suggestions_accept(lesson=lesson, suggestions=[first, second], edits={second.pk: bad})

    assert len(raised.value.lines()) == 1
    assert raised.value.lines()[0].startswith(f"suggestion {second.pk}: ")
    assert not Card.objects.exists()
    assert {status for _, status in stored()} == {Suggestion.Status.PENDING}


def test_accepting_twice_is_refused_the_second_time():
    run(note())
    lesson = Lesson.objects.get()
    first = lesson.suggestions.order_by("position").first()
    suggestions_accept(lesson=lesson, suggestions=[first])

    with pytest.raises(SuggestionsDecidedMeanwhile):
        suggestions_accept(lesson=lesson, suggestions=[Suggestion.objects.get(pk=first.pk)])

    assert Card.objects.count() == 1


def test_rejecting_and_reopening_only_touch_the_lessons_own_suggestions_in_the_right_state():
    run(note())
    run(note(title="Other"))
    lesson, other = Lesson.objects.order_by("pk")
    mine = list(lesson.suggestions.order_by("position")[:2])
    theirs = other.suggestions.first()
    user = make_user()

    assert suggestions_reject(lesson=lesson, suggestions=[*mine, theirs], user=user) == 2
    assert suggestions_reject(lesson=lesson, suggestions=mine) == 0  # not pending any more
    row = Suggestion.objects.get(pk=mine[0].pk)
    assert (row.status, row.decided_by) == ("rejected", user)
    assert Suggestion.objects.get(pk=theirs.pk).status == Suggestion.Status.PENDING

    assert suggestions_reopen(lesson=lesson, suggestions=[mine[0], theirs]) == 1
    row.refresh_from_db()
    assert (row.status, row.decided_at, row.decided_by) == ("pending", None, None)
    # Reopened, it is pending again: the next import keeps it, and it may be accepted.
    run(note())
    assert Suggestion.objects.get(pk=row.pk).status == Suggestion.Status.PENDING


def test_accepted_suggestions_are_placed_after_the_notes_own_cards():
    block = "```flashcards\nQ: First own?\nA: One.\n\nQ: Second own?\nA: Two.\n```\n"
    run(note(BODY + "\n" + block), accept_suggestions=True)

    cards = list(Card.objects.order_by("position").values_list("origin", "position"))
    assert [origin for origin, _ in cards] == ["note", "note"] + ["suggestion"] * 4
    assert len({position for _, position in cards}) == len(cards)


def test_an_import_accepting_everything_retires_what_it_accepted_once_the_sentence_goes():
    run(note(), accept_suggestions=True)
    output = run(note(BODY.replace(RESTORING, "")), accept_suggestions=True)

    retired = Card.objects.get(front=FRONTS[1])
    assert not retired.is_active
    assert Card.objects.filter(is_active=True).count() == 3
    assert "1 retired" in output


def test_a_card_a_person_accepted_or_edited_stays_when_its_sentence_goes():
    run(note())
    lesson = Lesson.objects.get()
    by_hand = lesson.suggestions.get(front=FRONTS[1])
    suggestions_accept(lesson=lesson, suggestions=[by_hand], user=make_user())
    run(note(), accept_suggestions=True)
    edited = Card.objects.get(front=FRONTS[0])
    edited.back = "One to 35 days"
    edited.save()

    run(note(BODY.replace(RESTORING, "").replace(RETENTION, "")), accept_suggestions=True)

    assert Card.objects.get(front=FRONTS[1]).is_active
    assert Card.objects.get(pk=edited.pk).is_active


def test_accepting_locks_the_suggestions_it_reads(django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run(note())
    lesson = Lesson.objects.get()
    with CaptureQueriesContext(connection) as queries:
        suggestions_accept(lesson=lesson, suggestions=list(lesson.suggestions.all()[:1]))
    reads = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and "notes_suggestion" in q["sql"]
    ]
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in sql and "COUNT" not in sql for sql in reads)
    else:  # SQLite: its write lock is taken at BEGIN (settings' transaction_mode)
        assert reads
