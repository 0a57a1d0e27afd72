"""`manage.py import_notes`: reads files and folders, reports, previews, and refuses bad input
whole with one line per error."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from flashcards.models import Card
from lessons.models import Lesson, Topic
from notes.models import Suggestion
from notes.parser import MAX_NOTE_BYTES
from tests.notes.conftest import TREE, note_text
from trees.models import Tree

pytestmark = pytest.mark.django_db

CONTENT = Path(__file__).resolve().parents[2] / "content"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_9c0c93229a521c5e.txt"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def run(*args) -> str:
    out = StringIO()
    call_command("import_notes", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_imports_a_note_into_a_published_lesson(tmp_path):
    path = write(tmp_path, "a.md", note_text(source="Course", theme="recovery", topic="AWS"))
    output = run(path)
    lesson = Lesson.objects.get()
    assert (lesson.title, lesson.slug, str(lesson.date)) == ("Backups", "backups", "2026-01-06")
    assert (lesson.source, lesson.theme, lesson.summary) == ("Course", "recovery", "recovery")
    assert lesson.topic.title == "AWS"
    assert lesson.status == Lesson.Status.PUBLISHED
    assert '<h2 id="part">Part</h2>' in lesson.body_html
    assert "created: backups" in output


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed note is not beside the project")
def test_imports_the_seed_note_under_the_default_topic():
    run(SEED)
    lesson = Lesson.objects.get()
    assert lesson.title == "RDS & Aurora Backups, Restore, Cloning, and Security"
    assert lesson.topic.title == "Imported notes"
    assert lesson.source == "Stephane Maarek — AWS SAA"
    assert "Percona XtraBackup" in lesson.body_html
    # Every section, the note's own "Exam anchors" list among them, as it was before `Exam:`
    # paragraphs became boxes: the seed writes none.
    headings = re.findall(r"^#{2,3} (.+)$", SEED.read_text(), flags=re.M)
    assert [entry["name"] for entry in _flat(lesson.toc)] == headings
    assert len(headings) == 15 and "Exam anchors (backup/restore)" in headings
    assert "admonition" not in lesson.body_html
    assert "<li>Aurora automated backups: <strong>cannot be disabled</strong></li>" in (
        lesson.body_html
    )


def _flat(entries: list[dict]) -> list[dict]:
    return [item for entry in entries for item in (entry, *_flat(entry["children"]))]


def test_dry_run_reports_and_saves_nothing(tmp_path):
    path = write(tmp_path, "a.md", note_text(topic="Fresh topic"))
    output = run("--dry-run", path)
    assert "would create: backups" in output
    assert "Dry run: nothing was saved." in output
    assert not Lesson.objects.exists()
    assert not Topic.objects.exists()

    run(path)
    write(tmp_path, "a.md", note_text(title="Backups", body="## Edited\n", theme="x"))
    output = run("--dry-run", path)
    assert "would update: backups (summary, theme, body)" in output
    assert "## Edited" not in Lesson.objects.get().body


def test_folders_are_searched_for_notes_in_name_order(tmp_path):
    write(tmp_path, "02-second.md", note_text(title="Second"))
    write(tmp_path, "01-first.txt", note_text(title="First"))
    write(tmp_path, "ignored.png", b"\x89PNG\x00")
    (tmp_path / ".hidden").mkdir()
    write(tmp_path / ".hidden", "x.md", b"\x00")
    run(tmp_path)
    assert list(Lesson.objects.order_by("position").values_list("title", flat=True)) == [
        "First",
        "Second",
    ]


def test_status_option_and_status_field(tmp_path):
    run("--status", "draft", write(tmp_path, "a.md", note_text()))
    run(write(tmp_path, "b.md", note_text(title="Other", status="draft")))
    assert set(Lesson.objects.values_list("status", flat=True)) == {"draft"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("# Café\n\nbody".encode("latin-1"), "is not UTF-8 text"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "is a binary file"),
        (b"", "the file is empty"),
        (b"Some prose without any heading.\n", "no title"),
        (b"# T\n\n" + b"a" * MAX_NOTE_BYTES, "a note may be at most"),
    ],
    ids=["not-utf8", "binary", "empty", "no-title", "over-1mb"],
)
def test_a_bad_note_fails_with_one_line_naming_the_file_and_nothing_is_saved(
    tmp_path, content, message
):
    good = write(tmp_path, "good.md", note_text(topic="Should not appear"))
    bad = write(tmp_path, "bad.md", content)
    with pytest.raises(CommandError) as raised:
        run(good, bad)
    text = str(raised.value)
    assert len(text.splitlines()) == 1
    assert text.startswith(f"{bad}: ")
    assert message in text
    assert "nothing was imported" in text
    assert not Lesson.objects.exists()
    assert not Topic.objects.exists()


def test_several_bad_notes_are_each_reported(tmp_path):
    first = write(tmp_path, "one.md", b"")
    second = write(tmp_path, "two.md", b"no title here\n")
    errors = StringIO()
    with pytest.raises(CommandError, match="2 errors; nothing was imported"):
        call_command("import_notes", str(first), str(second), stdout=StringIO(), stderr=errors)
    lines = errors.getvalue().splitlines()
    assert lines[0].startswith(f"{first}: ") and lines[1].startswith(f"{second}: ")


def test_a_folder_without_notes_is_an_error(tmp_path):
    write(tmp_path, "picture.png", b"\x89PNG\x00")
    write(tmp_path, "NOTES.MD", note_text())  # suffixes are matched in any case
    assert "created: backups" in run(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="empty: no .md, .markdown or .txt notes in this folder"):
        run(tmp_path / "empty")


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        run(tmp_path / "nope.md")


def test_bundled_content_imports_cleanly_and_idempotently():
    first = run(CONTENT)
    assert "Lessons: created 5, updated 0, unchanged 0." in first
    assert "Trees: created 7, updated 0, unchanged 0." in first
    assert Topic.objects.get().title == "Amazon RDS & Aurora"
    again = run(CONTENT)
    assert "Lessons: created 0, updated 0, unchanged 5." in again
    assert "Trees: created 0, updated 0, unchanged 7." in again


def test_placing_a_tree_that_does_not_exist_is_a_warning_not_an_error(tmp_path):
    errors = StringIO()
    path = write(tmp_path, "a.md", note_text(body="## Part\n\n[[tree:later]]\n"))
    call_command("import_notes", str(path), stdout=StringIO(), stderr=errors)
    assert Lesson.objects.exists()
    assert errors.getvalue().strip() == (
        f"warning: {path}: lesson 'backups' places tree 'later', which does not exist yet; "
        "learners see nothing there until it does"
    )


def test_take_over_trees_lets_a_note_declare_another_notes_tree(tmp_path):
    run(write(tmp_path, "first.md", note_text(body=f"## Part\n\n{TREE}\n")))
    second = write(tmp_path, "second.md", note_text(title="Other", body=f"## Part\n\n{TREE}\n"))
    with pytest.raises(CommandError, match="first.md brought"):
        run(second)
    run(second, "--take-over-trees")
    assert Tree.objects.get().imported_from.endswith("second.md")


SUGGESTING = "## Part\n\n- Retention: **1–35 days**\n- Restoring creates a **new** instance.\n"


def test_suggest_stores_suggestions_and_reports_them(tmp_path):
    path = write(tmp_path, "a.md", note_text(body=SUGGESTING))

    output = run(path, "--suggest")

    assert (
        "created: suggested cards of backups (2 new, 0 accepted, 0 withdrawn, "
        "2 waiting for a decision)  [" in output
    )
    assert "Suggestion sets: created 1, updated 0, unchanged 0." in output
    assert Suggestion.objects.pending().count() == 2
    assert not Card.objects.exists()
    assert "unchanged: suggested cards of backups" in run(path, "--suggest")


def test_accept_suggestions_makes_the_cards_and_a_second_run_changes_nothing(tmp_path):
    path = write(tmp_path, "a.md", note_text(body=SUGGESTING))

    preview = run(path, "--accept-suggestions", "--dry-run")
    assert "would create: suggested cards of backups (2 new, 2 accepted" in preview
    assert not Lesson.objects.exists()

    output = run(path, "--accept-suggestions")
    assert "created: suggested cards of backups (2 new, 2 accepted, 0 withdrawn, 0 waiting" in (
        output
    )
    assert Card.objects.filter(origin=Card.Origin.SUGGESTION).count() == 2
    again = run(path, "--accept-suggestions")
    assert "unchanged: suggested cards of backups" in again
    assert "Suggestion sets: created 0, updated 0, unchanged 1." in again
    assert Card.objects.count() == 2


def test_without_suggest_no_suggestion_is_made_or_reported(tmp_path):
    output = run(write(tmp_path, "a.md", note_text(body=SUGGESTING)))

    assert "suggested" not in output and "Suggestion sets" not in output
    assert not Suggestion.objects.exists()
