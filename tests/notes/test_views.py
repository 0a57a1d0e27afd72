"""The learner's own notes page: import, the result with its study button, the list, delete."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lessons.models import Lesson
from notes.forms import MAX_LEARNER_FILES, MAX_LEARNER_UPLOAD_BYTES
from notes.parser import MAX_NOTE_BYTES
from notes.services import NoteFile, notes_import
from tests.conftest import make_user
from tests.notes.conftest import TREE, note_text

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
BODY = "## Backups\n\n- Retention is **1 to 35 days** for automated backups.\n"


def upload(text: str, name: str = "mine.md") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/markdown")


def post_note(client, *files, topic="My notes", **extra):
    return client.post("/notes/", {"notes": list(files), "topic": topic}, **extra)


def test_a_visitor_is_sent_to_log_in(client):
    assert client.get("/notes/")["Location"].startswith("/accounts/login/?next=/notes/")


def test_the_page_offers_the_upload_with_my_notes_as_the_topic(learner_client):
    page = learner_client.get("/notes/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'hx-post="/notes/"' in page
    assert 'value="My notes"' in page and "None yet" in page


def test_an_import_redirects_to_the_result_with_its_cards_and_a_study_button(
    learner_client, learner
):
    response = post_note(learner_client, upload(note_text(title="Backups", body=BODY)))
    slug = f"backups-u{learner.pk}"
    assert response.status_code == 302 and response["Location"] == f"/notes/?imported={slug}"
    page = learner_client.get(response["Location"]).content.decode()
    assert "now has <strong>1 card</strong>" in page
    assert f'href="/study/?scope=lesson:{slug}">Study these cards now' in page
    lesson = Lesson.objects.get(slug=slug)
    assert lesson.topic.owner == learner and lesson.topic.title == "My notes"
    study = learner_client.get(f"/study/?scope=lesson:{slug}").content.decode()
    assert "automated backups" in study  # studying it at once


def test_the_result_names_only_the_learners_own_notes(learner_client, client):
    page = learner_client.get("/notes/?imported=restore-paths").content.decode()
    assert 'id="notes-imported"' not in page


def test_the_import_says_what_it_left_out(learner_client):
    body = "## Part\n\n```flashcards\ntags: mine\n\nQ: Tagged?\nA: Yes.\n```\n"
    response = post_note(learner_client, upload(note_text(title="Tags", body=body)))
    page = learner_client.get(response["Location"]).content.decode()
    assert "its cards&#x27; tags are left out" in page or "its cards' tags are left out" in page


def test_htmx_gets_a_client_redirect_on_success(learner_client):
    response = post_note(learner_client, upload(note_text(body=BODY)), **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"].startswith("/notes/?imported=")


def test_a_refused_upload_lists_each_problem_by_file_and_line_and_saves_nothing(learner_client):
    bad = upload(note_text(title="Trees", body=f"## Part\n\nText.\n\n{TREE}\n"), "trees.md")
    good = upload(note_text(body=BODY), "good.md")
    response = post_note(learner_client, good, bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "trees.md: line" in page and "declares decision trees" in page
    assert "Nothing was imported." in page and "<html" in page
    assert not Lesson.objects.exists()


def test_htmx_gets_the_form_partial_with_its_problems_and_a_200(learner_client):
    response = post_note(learner_client, upload("", "empty.md"), **HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert 'id="note-import"' in page and "empty.md" in page


def test_too_many_files_at_once_are_refused(learner_client):
    files = [upload(note_text(title=f"N{i}", body=BODY), f"{i}.md") for i in range(21)]
    assert len(files) > MAX_LEARNER_FILES
    page = post_note(learner_client, *files).content.decode()
    assert f"upload at most {MAX_LEARNER_FILES} notes at once" in page
    assert not Lesson.objects.exists()


def test_the_cap_on_private_notes_is_a_clear_message(learner_client, monkeypatch):
    monkeypatch.setattr("notes.services.MAX_PRIVATE_LESSONS", 1)
    assert post_note(learner_client, upload(note_text(title="One", body=BODY))).status_code == 302
    page = post_note(learner_client, upload(note_text(title="Two", body=BODY))).content.decode()
    assert "you have 1 notes of your own and these would add 1" in page


def test_the_list_shows_card_counts_and_delete_asks_then_deletes(learner_client, learner):
    post_note(learner_client, upload(note_text(title="Backups", body=BODY)))
    slug = f"backups-u{learner.pk}"
    page = learner_client.get("/notes/").content.decode()
    assert f'href="/notes/{slug}/delete/"' in page and "Study 1<span" in page
    confirm = learner_client.get(f"/notes/{slug}/delete/").content.decode()
    assert "Delete “Backups”?" in confirm and "its 1 card" in confirm
    response = learner_client.post(f"/notes/{slug}/delete/")
    assert response.status_code == 302 and response["Location"] == "/notes/"
    assert not Lesson.objects.filter(slug=slug).exists()
    assert "Deleted “Backups”" in learner_client.get("/notes/").content.decode()


def test_the_lesson_page_says_the_note_is_private(learner_client, learner):
    post_note(learner_client, upload(note_text(title="Backups", body=BODY)))
    page = learner_client.get(f"/lessons/backups-u{learner.pk}/").content.decode()
    assert "Only you can see this lesson" in page


def test_an_upload_over_2_mb_in_all_is_refused_naming_its_files(learner_client):
    """Each note may be 1 MB, but one upload at most 2 MB: the import runs in the request."""
    filler = "- A line of notes about backups and restores.\n" * 22_000  # about 1 MB
    files = [upload(note_text(title=f"N{i}", body=filler), f"big-{i}.md") for i in range(3)]
    assert all(file.size <= MAX_NOTE_BYTES for file in files)
    assert sum(file.size for file in files) > MAX_LEARNER_UPLOAD_BYTES
    response = post_note(learner_client, *files)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Upload at most 2 MB at once" in page
    assert all(f"big-{i}.md (" in page for i in range(3))  # each file named, with its size
    assert not Lesson.objects.exists()


def test_the_form_says_how_much_one_upload_may_weigh(learner_client):
    assert "2 MB in all at once" in learner_client.get("/notes/").content.decode()


def test_another_learners_note_is_a_404_to_ask_about_or_delete(learner_client):
    owner = make_user()
    notes_import(
        files=[NoteFile("theirs.md", note_text(title="Theirs", body=BODY).encode())],
        owner=owner,
    )
    slug = f"theirs-u{owner.pk}"
    assert learner_client.get(f"/notes/{slug}/delete/").status_code == 404
    assert learner_client.post(f"/notes/{slug}/delete/").status_code == 404
    assert Lesson.objects.filter(slug=slug).exists()
