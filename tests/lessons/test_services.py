"""Writing a lesson from a note: created with sensible defaults, updated without undoing what
an instructor chose in the admin, and topics found or added by title."""

from __future__ import annotations

import datetime as dt

import pytest

from lessons.models import Lesson, Topic
from lessons.services import lesson_upsert_from_note, topic_for_title
from notes.parser import Note
from tests.conftest import make_lesson, make_topic

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
