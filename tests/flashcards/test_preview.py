"""The card's live preview in the admin: each prompt front and back as the study page shows it,
with what check_card finds wrong."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from flashcards.models import Card
from flashcards.preview import card_preview, saved_card_previews
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


QUESTION = {
    "kind": "question",
    "front": "Which two keep a copy past 35 days?",
    "back": "- [x] A manual snapshot.\n  why: Kept until you delete it.\n"
    "- [ ] An automated backup.\n  why: Kept at most 35 days.\n"
    "- [x] AWS Backup.\n  why: Plans keep backups for years.\n",
}


def test_a_question_shows_its_stem_and_options_as_asked_then_the_labelled_answer_sheet(
    instructor_client,
):
    document = preview_document(instructor_client.post(URL, QUESTION).content.decode())
    asked, sheet = document.split("The answer sheet, shown once the learner checks")
    assert "Which two keep a copy past 35 days?" in asked and "Choose two." in asked
    assert asked.count('type="checkbox"') == 3 and "<fieldset" in asked and "disabled" in asked
    assert "Kept until you delete it" not in asked and "option-right" not in asked
    assert 'class="answer-sheet"' in sheet and sheet.count("option-right") == 2
    assert "Kept at most 35 days." in sheet
    assert "the question as asked, then its answer sheet" in document


def test_a_single_answer_question_asks_with_radio_buttons():
    preview = card_preview(
        data={**QUESTION, "back": QUESTION["back"].replace("[x] AWS", "[ ] AWS")}
    )
    assert preview.problems == []
    ask = preview.prompts[0].question
    assert not ask["multiple"] and [o["letter"] for o in ask["options"]] == ["A", "B", "C"]


def test_a_questions_option_problems_are_listed_with_their_line(instructor_client):
    back = "- [x] Only one option.\n  why: Too few.\n- [ ] Two.\n"
    page = instructor_client.post(URL, {**QUESTION, "back": back}).content.decode()
    assert "a question needs 3 to 6 options; it has 2" in page
    assert "Back: line 3: option B has no &#x27;why:&#x27; saying why" in page
    assert preview_document(page) == ""


def test_a_question_written_inline_under_a_lesson_previews_in_the_lessons_preview():
    lesson = make_lesson()
    card = Card(kind="question", front=QUESTION["front"], back=QUESTION["back"], lesson=lesson)
    [item] = saved_card_previews([card], lesson=lesson)
    assert item.preview.prompts[0].question["choose"] == "Choose two."
