"""The card's live preview in the admin: each prompt front and back as the study page shows it,
with what check_card finds wrong."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from flashcards.preview import card_preview
from tests.conftest import make_lesson, make_user, preview_document

pytestmark = pytest.mark.django_db

URL = "/admin/flashcards/card/preview/"


def test_a_cloze_shows_blanks_on_the_front_and_the_filled_answer_on_the_back(instructor_client):
    lesson = make_lesson(title="Geography")
    card = {"lesson": lesson.pk, "kind": "cloze", "front": "{{c1::Paris}} is in {{c2::France}}"}
    document = preview_document(instructor_client.post(URL, card).content.decode())
    faces = document.split('<div class="flashcard__face prose">')[1:]
    assert len(faces) == 4  # two prompts, each front and back
    assert "<mark>[…]</mark> is in France" in faces[0]
    assert "<mark>Paris</mark> is in France" in faces[1]
    assert "Paris is in <mark>[…]</mark>" in faces[2]
    assert "Prompt 2 of 2" in document and "Geography" in document
    assert 'class="flashcard__divider"' in document


def test_a_basic_card_shows_its_back_and_exam_tip():
    preview = card_preview(
        data={"kind": "basic", "front": "Why *this*?", "back": "Because.", "exam": "Know it."}
    )
    assert [prompt.front_html for prompt in preview.prompts] == ["<p>Why <em>this</em>?</p>"]
    assert preview.prompts[0].back_html == "<p>Because.</p>"
    assert preview.problems == [] and preview.context()["card"].exam == "Know it."


def test_a_reversed_card_shows_both_ways():
    preview = card_preview(data={"kind": "reversed", "front": "Paris", "back": "France"})
    faces = [(prompt.front_html, prompt.back_html) for prompt in preview.prompts]
    assert faces == [("<p>Paris</p>", "<p>France</p>"), ("<p>France</p>", "<p>Paris</p>")]


def test_what_check_card_finds_is_listed(instructor_client):
    answer = instructor_client.post(URL, {"kind": "cloze", "front": "No deletion"})
    assert "a cloze card needs at least one {{c1::...}} deletion" in answer.content.decode()
    assert preview_document(answer.content.decode()) == ""
    basic = instructor_client.post(URL, {"kind": "basic", "front": "Why?"}).content.decode()
    assert "the card has no back" in basic
    assert "Why?" in preview_document(basic)  # the front is still shown


def test_the_sanitizer_runs_on_both_faces():
    preview = card_preview(data={"kind": "basic", "front": "<script>x()</script>Hi", "back": "B"})
    assert "<script" not in preview.prompts[0].front_html


def test_the_card_edit_page_carries_the_pane(instructor_client):
    add = instructor_client.get("/admin/flashcards/card/add/").content.decode()
    assert f'hx-post="{URL}"' in add and "Not drawn yet." in add


def test_only_who_may_add_or_change_cards_may_preview(client, learner_client):
    card = {"kind": "basic", "front": "Why?", "back": "Because."}
    assert learner_client.post(URL, card).status_code == 302
    staff = make_user(is_staff=True)
    client.force_login(staff)
    assert client.post(URL, card).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="change_card"))
    assert client.post(URL, card).status_code == 200
