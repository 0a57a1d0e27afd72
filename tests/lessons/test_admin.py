"""The admin for instructors: permissions, lesson editing, preview and note upload."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from flashcards.models import Card
from lessons.models import Lesson, Topic
from notes.services import NoteFile, notes_import
from tests.conftest import make_lesson, make_tree, make_user, preview_document
from tests.notes.conftest import note_text
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
    content_models = {
        "lessons": ("topic", "lesson"),
        "trees": ("tree",),
        "flashcards": ("card",),
        "notes": ("suggestion",),
    }
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


def lesson_with_cards_form(topic, body: str, cards: list[dict], **fields) -> dict:
    """The admin's add/change form for a lesson, with these cards inline (all new)."""
    data = {
        "title": "One save",
        "slug": "one-save",
        "topic": topic.pk,
        "position": 1,
        "status": "draft",
        "summary": "",
        "source": "",
        "theme": "",
        "date": "",
        "body": body,
        "cards-TOTAL_FORMS": str(len(cards)),
        "cards-INITIAL_FORMS": "0",
        "cards-MIN_NUM_FORMS": "0",
        "cards-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for index, card in enumerate(cards):
        card = {"kind": "basic", "position": index, "is_active": "on", "exam": "", **card}
        data.update({f"cards-{index}-{key}": value for key, value in card.items()})
    return data


def test_a_lesson_with_a_tree_and_a_card_on_a_new_heading_is_added_in_one_save(
    instructor_client,
):
    tree = make_tree(slug="ways")
    topic = Topic.objects.create(title="Storage", slug="storage")
    body = "## Backups\n\nText.\n\n[[tree:ways]]\n"
    card = {"front": "How long?", "back": "35 days.", "section": "backups"}
    response = instructor_client.post(
        "/admin/lessons/lesson/add/", lesson_with_cards_form(topic, body, [card])
    )
    assert response.status_code == 302, response.content.decode()
    lesson = Lesson.objects.get(slug="one-save")
    assert lesson.sections() == {"backups": "Backups"}
    assert f'data-embed="tree:{tree.slug}"' in lesson.body_html
    saved = lesson.cards.get()
    assert (saved.section, saved.prompts.count()) == ("backups", 1)


def test_an_edited_lessons_cards_are_checked_against_the_body_being_saved(instructor_client):
    lesson = make_lesson(body="## Old heading\n\nText.\n")
    form = lesson_with_cards_form(
        lesson.topic,
        "## New heading\n\nText.\n",
        [{"front": "Q?", "back": "A.", "section": "old-heading"}],
        title=lesson.title,
        slug=lesson.slug,
    )
    response = instructor_client.post(f"/admin/lessons/lesson/{lesson.pk}/change/", form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "has no section with the anchor “old-heading” (in the body being saved)" in page
    # The select now offers the submitted body's headings, and keeps what was chosen.
    assert '<option value="new-heading">New heading — #new-heading</option>' in page
    assert '<option value="old-heading" selected>' in page
    form["cards-0-section"] = "new-heading"
    response = instructor_client.post(f"/admin/lessons/lesson/{lesson.pk}/change/", form)
    assert response.status_code == 302
    assert lesson.cards.get().section == "new-heading"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "notes.md: the file is empty"),
        (b"# Title\x00\x01", "notes.md: is a binary file, not a Markdown note"),
        (b"\xff\xfe\x00bad", "notes.md: is UTF-16 text, not UTF-8"),
    ],
)
def test_an_unreadable_upload_names_its_file(instructor_client, content, message):
    response = instructor_client.post(
        "/admin/lessons/lesson/import/",
        {"notes": [upload("good.md", NOTE.encode()), upload("notes.md", content)], "topic": "T"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Lesson.objects.exists()


def test_the_import_page_has_the_admins_breadcrumbs(instructor_client):
    page = instructor_client.get("/admin/lessons/lesson/import/").content.decode()
    assert '<ol class="breadcrumbs">' in page
    assert '<li aria-current="page">Import notes</li>' in page
    assert "admin/css/forms.css" in page and "change-form" in page


def test_saving_a_lesson_that_places_a_missing_tree_warns(instructor_client):
    make_tree(slug="here")
    lesson = make_lesson()
    response = edit_lesson_body(
        instructor_client, lesson, "## Part\n\n[[tree:here]]\n\n[[tree:nowhere]]\n"
    )
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages[0] == (
        "The lesson places tree “nowhere”, which does not exist yet; "
        "learners see nothing there until it does."
    )
    assert not any("“here”" in message for message in messages)


def test_an_import_that_places_a_missing_tree_shows_the_warning(instructor_client):
    note = NOTE + "\n[[tree:later]]\n"
    response = instructor_client.post(
        "/admin/lessons/lesson/import/",
        {"notes": [upload("upload.md", note.encode())], "topic": "Uploads"},
        follow=True,
    )
    assert "places tree &#x27;later&#x27;, which does not exist yet" in response.content.decode()


def test_the_duplicate_action_copies_a_lesson_as_a_draft_and_opens_it(instructor_client):
    lesson = make_lesson(slug="backups", title="Backups")
    response = instructor_client.post(
        "/admin/lessons/lesson/",
        {"action": "duplicate", "_selected_action": [lesson.pk], "index": "0"},
    )
    copy = Lesson.objects.get(slug="backups-copy")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/lessons/lesson/{copy.pk}/change/"
    assert copy.status == Lesson.Status.DRAFT
    page = instructor_client.get(response["Location"]).content.decode()
    assert "Created the draft “Backups (copy)” (backups-copy)." in page


def test_lessons_move_up_and_down_from_the_list(instructor_client):
    topic = Topic.objects.create(title="Storage", slug="storage")
    first, second = (make_lesson(topic=topic, title=t, position=p) for t, p in (("A", 1), ("B", 2)))
    page = instructor_client.get("/admin/lessons/lesson/").content.decode()
    assert f'formaction="/admin/lessons/lesson/{second.pk}/move/up/"' in page
    assert 'aria-label="Move “B” up"' in page
    response = instructor_client.post(
        f"/admin/lessons/lesson/{second.pk}/move/up/",
        HTTP_REFERER="http://testserver/admin/lessons/lesson/?topic__id__exact=1",
    )
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/admin/lessons/lesson/?topic__id__exact=1"
    assert list(Lesson.objects.order_by("position").values_list("title", flat=True)) == ["B", "A"]
    assert instructor_client.get(f"/admin/lessons/lesson/{first.pk}/move/up/").status_code == 405
    assert instructor_client.post(f"/admin/lessons/lesson/{first.pk}/move/left/").status_code == 404


def test_only_who_may_change_lessons_may_move_them(client):
    lesson = make_lesson()
    viewer = make_user(is_staff=True)
    client.force_login(viewer)
    response = client.post(f"/admin/lessons/lesson/{lesson.pk}/move/up/")
    assert response.status_code == 403


def test_the_last_editor_and_the_change_history_are_shown(instructor_client, instructor):
    lesson = make_lesson(title="Backups")
    assert (
        "Not in the admin"
        in instructor_client.get(f"/admin/lessons/lesson/{lesson.pk}/change/").content.decode()
    )
    edit_lesson_body(instructor_client, lesson, "## Edited\n\ntext\n")
    page = instructor_client.get(f"/admin/lessons/lesson/{lesson.pk}/change/").content.decode()
    assert f"By {instructor.username} on " in page
    assert f'<a href="/admin/lessons/lesson/{lesson.pk}/history/">Change history</a>' in page
    listing = instructor_client.get("/admin/lessons/lesson/").content.decode()
    assert f'<td class="field-last_edited_by">{instructor.username}</td>' in listing


def test_the_section_choices_script_reads_the_previews_answer_and_asks_for_nothing(
    instructor_client,
):
    # The choices come with the live preview (tests/lessons/test_preview.py), which renders
    # the body as typed anyway: no URL of the script's own.
    page = instructor_client.get("/admin/lessons/lesson/add/").content.decode()
    assert "js/admin-card-sections" in page and "data-sections-url" not in page
    with pytest.raises(NoReverseMatch):
        reverse("admin:lessons_lesson_sections")


SUGGESTING_NOTE = NOTE + "\n- Retention: **1–35 days**\n- Restoring creates a **new** instance.\n"


def test_the_upload_form_offers_to_suggest_cards_and_to_accept_them(instructor_client):
    page = instructor_client.get("/admin/lessons/lesson/import/").content.decode()

    assert 'name="suggest"' in page and "Suggest cards" in page
    assert 'name="accept_suggestions"' in page and "Accept the suggestions" in page


def test_uploading_with_suggest_stores_suggestions_for_a_decision(instructor_client):
    from notes.models import Suggestion

    form = {"notes": [upload("upload.md", SUGGESTING_NOTE.encode())], "topic": "Uploads"}
    response = instructor_client.post(
        "/admin/lessons/lesson/import/", {**form, "suggest": "on"}, follow=True
    )

    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "created: uploaded-lesson  [upload.md]",
        "created: suggested cards of uploaded-lesson (2 new, 0 accepted, 0 withdrawn, "
        "2 waiting for a decision)  [upload.md]",
    ]
    assert set(Suggestion.objects.values_list("status", flat=True)) == {"pending"}
    assert not Card.objects.exists()


def test_uploading_with_accept_suggestions_makes_the_cards(instructor_client):
    form = {"notes": [upload("upload.md", SUGGESTING_NOTE.encode())], "topic": "Uploads"}
    preview = instructor_client.post(
        "/admin/lessons/lesson/import/", {**form, "accept_suggestions": "on", "dry_run": "on"}
    )
    assert "would create: suggested cards of uploaded-lesson (2 new, 2 accepted" in (
        preview.content.decode()
    )
    assert not Lesson.objects.exists()

    form = {"notes": [upload("upload.md", SUGGESTING_NOTE.encode())], "topic": "Uploads"}
    instructor_client.post("/admin/lessons/lesson/import/", {**form, "accept_suggestions": "on"})

    assert list(Card.objects.order_by("position").values_list("front", "origin")) == [
        ("Part one — Retention?", "suggestion"),
        ("Part one — Restoring creates a {{c1::new}} instance.", "suggestion"),
    ]


# A learner's own notes (issue 21) ---------------------------------------------------------


@pytest.fixture
def private_note(db):
    owner = make_user(username="note-owner")
    text = note_text(title="Quagga secrets", body="## Part\n\nThe **quagga** fact.\n")
    notes_import(files=[NoteFile("q.md", text.encode())], owner=owner, accept_suggestions=True)
    return Lesson.objects.select_related("topic").get(slug=f"quagga-secrets-u{owner.pk}")


def test_instructors_never_see_learners_private_topics_lessons_or_cards(
    instructor_client, private_note
):
    card = private_note.cards.get()
    pages = [
        "/admin/lessons/topic/",
        "/admin/lessons/lesson/",
        "/admin/lessons/lesson/?q=quagga",
        "/admin/flashcards/card/",
        "/admin/flashcards/card/?q=quagga",
        "/admin/lessons/lesson/add/",
        "/admin/flashcards/card/add/",
    ]
    for url in pages:
        page = instructor_client.get(url).content.decode()
        assert "Quagga secrets" not in page and "quagga-secrets" not in page, url
        assert private_note.topic.slug not in page, url
    assert "quagga" not in instructor_client.get("/admin/flashcards/card/").content.decode()
    for url in [
        f"/admin/lessons/lesson/{private_note.pk}/change/",
        f"/admin/lessons/topic/{private_note.topic.pk}/change/",
        f"/admin/flashcards/card/{card.pk}/change/",
    ]:
        # The admin sends an object it cannot find back to the list, with a message.
        assert instructor_client.get(url).status_code == 302, url
    found = instructor_client.get(
        "/admin/autocomplete/",
        {"term": "quagga", "app_label": "flashcards", "model_name": "card", "field_name": "lesson"},
    )
    assert "Quagga" not in found.content.decode()


def test_a_superuser_sees_private_topics_marked_with_their_owner(client, superuser, private_note):
    client.force_login(superuser)
    page = client.get("/admin/lessons/topic/").content.decode()
    assert "Private to" in page and "note-owner" in page
    lessons = client.get("/admin/lessons/lesson/").content.decode()
    assert "Quagga secrets" in lessons and "note-owner" in lessons


def test_instructors_cannot_move_a_private_lesson_or_learn_that_it_exists(
    instructor_client, private_note
):
    position = private_note.position
    for direction in ("up", "down"):
        response = instructor_client.post(
            f"/admin/lessons/lesson/{private_note.pk}/move/{direction}/"
        )
        assert response.status_code == 404
    missing = instructor_client.post("/admin/lessons/lesson/999999/move/up/")
    assert missing.status_code == 404  # the same answer as for no lesson at all
    private_note.refresh_from_db()
    assert private_note.position == position
    assert not LogEntry.objects.filter(object_id=str(private_note.pk)).exists()


def test_the_card_form_shows_no_private_lessons_headings(instructor_client, private_note):
    page = instructor_client.get(f"/admin/flashcards/card/add/?lesson={private_note.pk}")
    assert page.status_code == 200
    assert "#part" not in page.content.decode() and "Part —" not in page.content.decode()
    public = make_lesson(body="## Visible heading\n\ntext\n")
    shown = instructor_client.get(f"/admin/flashcards/card/add/?lesson={public.pk}")
    assert "Visible heading" in shown.content.decode()
