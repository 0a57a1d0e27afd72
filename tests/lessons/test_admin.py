"""The admin for instructors: permissions, lesson editing, preview and note upload."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from lessons.models import Lesson, Topic
from tests.conftest import make_lesson, make_tree, make_user, preview_document
from trees.models import Tree

pytestmark = pytest.mark.django_db

NOTE = "# 2026-01-06 — Uploaded lesson\n\n**Source:** Upload\n\n## Part one\n\nText.\n"


TREE_BLOCK = """
```decision-tree
slug: ways
title: Ways

? q: Which?
- A -> a
- B -> b

= a: A

= b: B
```
"""


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/markdown")


def test_instructors_group_holds_exactly_the_content_permissions():
    group = Group.objects.get(name="Instructors")
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    content_models = {"lessons": ("topic", "lesson"), "trees": ("tree",), "flashcards": ("card",)}
    assert codenames == {
        (app, f"{action}_{model}")
        for app, models in content_models.items()
        for model in models
        for action in ("add", "change", "delete", "view")
    }


def test_learners_and_visitors_cannot_reach_the_admin(client, learner):
    response = client.get("/admin/lessons/lesson/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(learner)
    response = client.get("/admin/lessons/lesson/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/lessons/lesson/import/").status_code == 302


def test_instructors_manage_content_but_not_users(instructor_client):
    assert instructor_client.get("/admin/lessons/lesson/").status_code == 200
    assert instructor_client.get("/admin/lessons/topic/").status_code == 200
    assert instructor_client.get("/admin/auth/user/").status_code == 403


def test_lesson_list_searches_and_filters(instructor_client):
    make_lesson(title="Aurora cloning", body="copy-on-write")
    make_lesson(title="Encryption", status=Lesson.Status.DRAFT)
    html = instructor_client.get("/admin/lessons/lesson/?q=copy-on-write").content.decode()
    assert "Aurora cloning" in html and "Encryption" not in html
    html = instructor_client.get("/admin/lessons/lesson/?status__exact=draft").content.decode()
    assert "Encryption" in html and "Aurora cloning" not in html


def edit_lesson_body(client, lesson: Lesson, body: str):
    """Post the admin's change form for the lesson, with a new body and no cards."""
    return client.post(
        f"/admin/lessons/lesson/{lesson.pk}/change/",
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "topic": lesson.topic_id,
            "position": 1,
            "status": "published",
            "summary": "",
            "source": "",
            "theme": "",
            "date": "",
            "body": body,
            # The cards inline's management form.
            "cards-TOTAL_FORMS": "0",
            "cards-INITIAL_FORMS": "0",
            "cards-MIN_NUM_FORMS": "0",
            "cards-MAX_NUM_FORMS": "1000",
        },
    )


def test_editing_a_lesson_in_the_admin_renders_it_and_shows_a_preview(instructor_client):
    lesson = make_lesson(title="Backups")
    response = edit_lesson_body(
        instructor_client, lesson, "## Edited heading\n\n<script>alert(1)</script>Safe text.\n"
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert '<h2 id="edited-heading">' in lesson.body_html
    assert "<script" not in lesson.body_html
    page = instructor_client.get(f"/admin/lessons/lesson/{lesson.pk}/change/").content.decode()
    # The live preview beside the body shows it as last saved (the page without JavaScript).
    assert "As of the last save." in page
    assert '<h2 id="edited-heading">Edited heading</h2>' in preview_document(page)
    # And the site shows the change.
    assert "Edited heading" in instructor_client.get(lesson.get_absolute_url()).content.decode()


def test_a_body_nested_too_deep_is_a_form_error_not_a_server_error(instructor_client):
    lesson = make_lesson(title="Backups", body="Old body.\n")
    response = edit_lesson_body(instructor_client, lesson, "Intro\n\n" + ">" * 30 + " deep\n")
    assert response.status_code == 200
    assert "line 3: lists, block quotes and admonitions are nested more than 20 deep" in (
        response.content.decode()
    )
    lesson.refresh_from_db()
    assert lesson.body == "Old body.\n"


def test_uploading_a_note_creates_a_lesson(instructor_client):
    response = instructor_client.post(
        "/admin/lessons/lesson/import/",
        {"notes": [upload("upload.md", NOTE.encode())], "topic": "Uploads", "status": ""},
    )
    assert response.status_code == 302
    lesson = Lesson.objects.get()
    assert (lesson.title, lesson.topic.title, lesson.source) == (
        "Uploaded lesson",
        "Uploads",
        "Upload",
    )


def test_uploading_preview_only_saves_nothing(instructor_client):
    response = instructor_client.post(
        "/admin/lessons/lesson/import/",
        {"notes": [upload("upload.md", NOTE.encode())], "topic": "Uploads", "dry_run": "on"},
    )
    assert response.status_code == 200
    assert "would create: uploaded-lesson" in response.content.decode()
    assert not Lesson.objects.exists()


def test_uploading_with_take_over_trees_moves_another_notes_tree(instructor_client):
    tree_note = NOTE + TREE_BLOCK
    make_tree(slug="ways", imported_from="elsewhere.md")
    form = {"notes": [upload("upload.md", tree_note.encode())], "topic": "Uploads"}
    refused = instructor_client.post("/admin/lessons/lesson/import/", form)
    assert "which elsewhere.md brought" in refused.content.decode()
    form = {"notes": [upload("upload.md", tree_note.encode())], "topic": "Uploads"}
    response = instructor_client.post(
        "/admin/lessons/lesson/import/", {**form, "take_over_trees": "on"}
    )
    assert response.status_code == 302
    assert Tree.objects.get(slug="ways").imported_from == "upload.md"


def test_a_bad_upload_shows_the_error_and_saves_nothing(instructor_client):
    response = instructor_client.post(
        "/admin/lessons/lesson/import/",
        {
            "notes": [upload("good.md", NOTE.encode()), upload("bad.md", b"\x89PNG\r\n\x1a\n\x00")],
            "topic": "Uploads",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "bad.md: is a binary file" in html
    assert "Nothing was imported." in html
    assert not Lesson.objects.exists()
    assert not Topic.objects.exists()


def test_the_import_page_needs_add_permission(client):
    viewer = make_user(is_staff=True)
    client.force_login(viewer)
    assert client.get("/admin/lessons/lesson/import/").status_code == 403
