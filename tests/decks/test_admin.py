"""The admin's "Import Anki deck" page (decks/admin.py): upload, preview with its report,
errors shown with nothing saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from decks.models import DeckImage
from lessons.models import Lesson
from tests.decks.conftest import PNG, add_media, add_note, export

pytestmark = pytest.mark.django_db
URL = "/admin/lessons/lesson/import-anki/"


@pytest.fixture
def package(anki_collection, tmp_path):
    png = add_media(anki_collection, tmp_path, "d.png", PNG)
    add_note(anki_collection, "Basic", "AWS::RDS", f'Retention? <img src="{png}">', "35 days")
    add_note(anki_collection, "Cloze", "AWS::RDS", "{{c1::Aurora}} [sound:x.mp3]", "")
    return export(anki_collection, tmp_path)


def _upload(data: bytes, name: str = "deck.apkg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_lessons_list_links_to_the_page(instructor_client):
    page = instructor_client.get("/admin/lessons/lesson/").content.decode()
    assert f'href="{URL}"' in page
    assert "Import Anki deck" in instructor_client.get(URL).content.decode()


def test_uploading_imports_and_says_what_it_made(instructor_client, package):
    response = instructor_client.post(
        URL, {"packages": [_upload(package)], "topic": "Anki decks"}, follow=True
    )
    html = response.content.decode()
    assert "Created: aws-rds" in html
    assert "Deck “AWS::RDS” → lesson “RDS” (aws-rds) in topic “AWS”: 2 cards" in html
    assert "Audio and video skipped: 1." in html
    lesson = Lesson.objects.get()
    assert lesson.status == "draft" and lesson.cards.count() == 2
    assert DeckImage.objects.count() == 1


def test_a_preview_shows_the_report_and_saves_nothing(instructor_client, package):
    response = instructor_client.post(
        URL, {"packages": [_upload(package)], "topic": "Anki decks", "dry_run": "on"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "would create: aws-rds" in html and 'id="import-report"' in html
    assert "Images kept: 1; images skipped: 0." in html
    assert not Lesson.objects.exists() and not DeckImage.objects.exists()


def test_a_bad_upload_shows_the_error_and_saves_nothing(instructor_client, package):
    response = instructor_client.post(
        URL,
        {"packages": [_upload(package), _upload(b"junk", "junk.apkg")], "topic": "Anki decks"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "junk.apkg: is not an Anki package" in html and "Nothing was imported." in html
    assert not Lesson.objects.exists() and not DeckImage.objects.exists()


def test_learners_cannot_reach_it(client, learner):
    client.force_login(learner)
    assert client.get(URL).status_code == 302


def test_uploads_over_the_limit_together_are_refused_before_reading(
    instructor_client, package, monkeypatch
):
    monkeypatch.setattr("decks.forms.MAX_UPLOAD_BYTES", len(package) + 10)
    response = instructor_client.post(
        URL, {"packages": [_upload(package), _upload(package, "again.apkg")], "topic": "T"}
    )
    assert response.status_code == 400
    assert "bytes together; upload at most" in response.content.decode()
    assert not Lesson.objects.exists()
