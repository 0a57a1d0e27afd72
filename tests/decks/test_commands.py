"""`manage.py import_apkg`: the admin's import from a shell, with `import_notes`' output and
exit codes."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from lessons.models import Lesson
from tests.decks.conftest import add_note, export

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(anki_collection, tmp_path):
    add_note(anki_collection, "Basic", "Physics::Waves", "Speed of sound?", "343 m/s")
    add_note(anki_collection, "Basic", "Loose", "Front", "Back")
    path = tmp_path / "deck.apkg"
    path.write_bytes(export(anki_collection, tmp_path))
    return path


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_apkg", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_each_deck_as_a_draft_lesson_and_reports(package):
    out, _ = _run(str(package), "--topic", "Flashcards")
    assert "created: physics-waves  [Anki deck “Physics::Waves”]" in out
    assert "Deck “Loose” → lesson “Loose” (loose) in topic “Flashcards”: 1 card" in out
    assert "Note type “Basic” → basic cards: 2 notes" in out
    assert "Lessons: created 2, updated 0, unchanged 0." in out
    assert set(Lesson.objects.values_list("status", flat=True)) == {"draft"}
    again, _ = _run(str(package))
    assert "Lessons: created 0, updated 0, unchanged 2." in again
    assert Lesson.objects.get(slug="loose").topic.title == "Flashcards"


def test_a_dry_run_saves_nothing(package):
    out, _ = _run(str(package), "--dry-run")
    assert "would create: physics-waves" in out and "Dry run: nothing was saved." in out
    assert not Lesson.objects.exists()


def test_errors_name_the_file_and_nothing_is_imported(package, tmp_path):
    bad = tmp_path / "bad.apkg"
    bad.write_bytes(b"nonsense")
    with pytest.raises(CommandError) as error:
        _run(str(package), str(bad))
    assert str(error.value).startswith(f"{bad}: is not an Anki package")
    assert "(nothing was imported)" in str(error.value)
    assert not Lesson.objects.exists()
    with pytest.raises(CommandError, match="no such file"):
        _run(str(tmp_path / "missing.apkg"))
