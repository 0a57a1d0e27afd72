"""Writing a lesson from a note: created with sensible defaults, updated without undoing what
an instructor chose in the admin, and topics found or added by title."""

from __future__ import annotations

import datetime as dt

import pytest

from flashcards.models import Prompt, PromptState
from lessons.models import Lesson, Topic
from lessons.services import (
    lesson_duplicate,
    lesson_move,
    lesson_upsert_from_note,
    topic_for_title,
)
from notes.parser import Note
from tests.conftest import make_card, make_lesson, make_topic, make_user

pytestmark = pytest.mark.django_db


def upsert(note: Note, *, status: str | None = None) -> tuple[str, tuple[str, ...]]:
    return lesson_upsert_from_note(
        note=note, name="a.md", default_topic="Imported notes", status=status
    )


def backups(**fields) -> Note:
    fields.setdefault("body", "## Part\n\nText.\n")
    return Note(title="Backups", slug="backups", **fields)


def test_a_new_lesson_is_published_under_the_default_topic_after_the_others():
    topic = make_topic(title="Imported notes", slug="imported-notes")
    make_lesson(topic=topic, position=7)
    assert upsert(backups(theme="recovery", date=dt.date(2026, 1, 6))) == ("create", ())
    lesson = Lesson.objects.get(slug="backups")
    assert (lesson.topic, lesson.status, lesson.position) == (topic, "published", 8)
    assert (lesson.summary, lesson.imported_from) == ("recovery", "a.md")  # theme as summary
    assert '<h2 id="part">Part</h2>' in lesson.body_html


def test_a_new_lesson_takes_the_notes_topic_status_and_order():
    upsert(backups(topic="AWS", status="draft", order=3, summary="Short."))
    lesson = Lesson.objects.get()
    assert (lesson.topic.title, lesson.status, lesson.position) == ("AWS", "draft", 3)
    assert lesson.summary == "Short."


def test_reimport_keeps_the_topic_status_and_position_an_instructor_chose():
    upsert(backups())
    moved_to = Topic.objects.create(title="Elsewhere", slug="elsewhere")
    Lesson.objects.update(topic=moved_to, status=Lesson.Status.DRAFT, position=42)
    upsert(backups(body="## Changed\n"))
    lesson = Lesson.objects.get()
    assert (lesson.topic, lesson.status, lesson.position) == (moved_to, "draft", 42)


def test_an_update_names_the_changed_fields_in_report_order_and_what_the_note_says_wins():
    upsert(backups())
    changed = upsert(backups(body="## New\n", theme="x", topic="AWS", order=5), status="draft")
    assert changed == ("update", ("topic", "summary", "theme", "body", "status", "position"))
    lesson = Lesson.objects.get()
    assert (lesson.topic.title, lesson.status, lesson.position) == ("AWS", "draft", 5)
    assert upsert(backups(body="## New\n", theme="x")) == ("unchanged", ())


def test_a_topic_is_found_by_its_titles_slug_or_added_at_the_end():
    existing = make_topic(title="Amazon RDS", slug="amazon-rds", position=4)
    assert topic_for_title("Amazon  RDS") == existing
    added = topic_for_title("Aurora & Backups")
    assert (added.slug, added.title, added.position) == ("aurora-backups", "Aurora & Backups", 5)


def test_a_duplicate_is_a_draft_copy_with_its_cards_and_none_of_the_learners_data():
    lesson = make_lesson(slug="backups", title="Backups", imported_from="notes/backups.md")
    card = make_card(lesson=lesson, kind="cloze", front="{{c1::RDS}} and {{c2::Aurora}}", back="")
    make_card(lesson=lesson, front="Retired?", is_active=False)
    PromptState.objects.create(
        user=make_user(), prompt=card.prompts.first(), state=2, due=dt.datetime.now(dt.UTC)
    )
    copy = lesson_duplicate(lesson=lesson)
    assert (copy.slug, copy.title, copy.status, copy.imported_from) == (
        "backups-copy",
        "Backups (copy)",
        Lesson.Status.DRAFT,
        "",
    )
    assert copy.body == lesson.body and copy.body_html == lesson.body_html
    assert copy.toc == lesson.toc and copy.topic == lesson.topic
    assert list(copy.cards.values_list("front", "is_active")) == [
        ("{{c1::RDS}} and {{c2::Aurora}}", True),
        ("Retired?", False),
    ]
    copied = copy.cards.get(is_active=True)
    assert sorted(Prompt.objects.filter(card=copied).values_list("ordinal", flat=True)) == [1, 2]
    assert not PromptState.objects.filter(prompt__card__lesson=copy).exists()
    assert lesson.cards.count() == 2  # the original keeps its cards


def test_a_duplicate_takes_the_originals_rendering_instead_of_rendering_again():
    """Rendering a large body takes seconds, and the copy is saved inside a transaction (on
    SQLite, the write lock): the copy's HTML is the original's as stored."""
    lesson = make_lesson(body="## Part\n\nText.\n")
    Lesson.objects.filter(pk=lesson.pk).update(body_html="<p>as stored</p>")
    lesson.refresh_from_db()
    copy = lesson_duplicate(lesson=lesson)
    copy.refresh_from_db()
    assert copy.body_html == "<p>as stored</p>" and copy.toc == lesson.toc


def test_duplicates_take_the_next_free_copy_slug():
    lesson = make_lesson(slug="backups")
    slugs = [lesson_duplicate(lesson=lesson).slug for _ in range(3)]
    assert slugs == ["backups-copy", "backups-copy-2", "backups-copy-3"]


def test_moving_a_lesson_swaps_it_with_its_neighbour_and_keeps_positions_dense():
    topic = make_topic()
    other = make_lesson(topic=make_topic(), position=2)
    first, second, third = (
        make_lesson(topic=topic, title=title, position=position)
        for title, position in (("A", 5), ("B", 5), ("C", 40))
    )

    def order():
        return list(
            Lesson.objects.filter(topic=topic)
            .order_by("position", "title")
            .values_list("title", "position")
        )

    lesson_move(lesson=third, offset=-1)
    assert order() == [("A", 1), ("C", 2), ("B", 3)]
    lesson_move(lesson=first, offset=-1)  # already first: stays, numbers stay dense
    assert order() == [("A", 1), ("C", 2), ("B", 3)]
    lesson_move(lesson=first, offset=1)
    assert order() == [("C", 1), ("A", 2), ("B", 3)]
    lesson_move(lesson=second, offset=1)
    assert order() == [("C", 1), ("A", 2), ("B", 3)]
    other.refresh_from_db()
    assert other.position == 2  # other topics are left alone
