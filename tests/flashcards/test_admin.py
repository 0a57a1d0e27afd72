"""Cards in the admin: their own list with figures, inline under lessons, refused when broken."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from flashcards.models import Card, Prompt, PromptState, Review
from tests.conftest import make_card, make_lesson, make_user

pytestmark = pytest.mark.django_db


def add_review(user, prompt, rating):
    Review.objects.create(
        user=user, prompt=prompt, rating=rating, reviewed_at=timezone.now(), state_after=2, after={}
    )


def test_the_card_list_shows_figures_across_learners(instructor_client):
    card = make_card(front="Which tool does Aurora MySQL need?")
    prompt = card.prompts.get()
    learners = [make_user() for _ in range(2)]
    for user, ratings in zip(learners, [(3, 1, 1), (3, 3, 1)], strict=True):
        for rating in ratings:
            add_review(user, prompt, rating)
    PromptState.objects.create(
        user=learners[0], prompt=prompt, state=2, lapses=9, due=timezone.now()
    )
    PromptState.objects.create(
        user=learners[1],
        prompt=prompt,
        state=2,
        lapses=1,
        due=timezone.now() + dt.timedelta(days=1),
    )
    page = instructor_client.get("/admin/flashcards/card/").content.decode()
    row = page[page.index("Which tool does Aurora MySQL need?") :].split("</tr>")[0]
    cells = [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    assert cells[-4:] == ["6", "50%", "10", "1"]  # reviews, again, lapses, leeches


def test_the_card_list_searches_and_filters(instructor_client):
    make_card(front="Percona question?", kind=Card.Kind.BASIC)
    make_card(front="Cloze {{c1::card}}", kind=Card.Kind.CLOZE, back="")
    page = instructor_client.get("/admin/flashcards/card/?q=percona").content.decode()
    assert "Percona question?" in page and "{{c1::card}}" not in page
    page = instructor_client.get("/admin/flashcards/card/?kind__exact=cloze").content.decode()
    assert "Cloze {{c1::card}}" in page and "Percona question?" not in page


def card_form(lesson, **overrides):
    data = {
        "lesson": lesson.pk,
        "section": "",
        "kind": "basic",
        "front": "Front?",
        "back": "Back.",
        "position": 0,
        "is_active": "on",
    }
    return {**data, **overrides}


def test_adding_a_card_makes_its_prompts(instructor_client):
    lesson = make_lesson(body="## Keys\n\ntext\n")
    response = instructor_client.post(
        "/admin/flashcards/card/add/",
        card_form(
            lesson,
            kind="cloze",
            front="KMS {{c1::keys}} and {{c2::grants}}",
            back="",
            section="keys",
        ),
    )
    assert response.status_code == 302
    assert list(Prompt.objects.values_list("ordinal", flat=True)) == [1, 2]


def test_an_exam_anchor_is_edited_in_the_admin_leaving_the_prompts_as_they_were(
    instructor_client,
):
    card = make_card(front="Can Aurora backups be disabled?", back="No.")
    prompt = card.prompts.get()
    response = instructor_client.post(
        f"/admin/flashcards/card/{card.pk}/change/",
        card_form(card.lesson, front=card.front, back=card.back, exam="Aurora: cannot disable."),
    )
    assert response.status_code == 302
    assert Card.objects.get().exam == "Aurora: cannot disable."
    assert Prompt.objects.get() == prompt and Prompt.objects.get().changed_at is None
    page = instructor_client.get("/admin/flashcards/card/?exam=yes").content.decode()
    assert "Can Aurora backups be disabled?" in page
    page = instructor_client.get("/admin/flashcards/card/?exam=no").content.decode()
    assert "Can Aurora backups be disabled?" not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"exam": "x" * 201}, "at most 200 characters"),
        ({"back": ""}, "the card has no back"),
        ({"kind": "cloze", "front": "No deletion"}, "needs at least one {{c1::...}} deletion"),
        ({"section": "nowhere"}, "has no section with the anchor"),
    ],
)
def test_a_broken_card_is_refused(instructor_client, overrides, message):
    lesson = make_lesson()
    response = instructor_client.post("/admin/flashcards/card/add/", card_form(lesson, **overrides))
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert not Card.objects.exists()


def test_cards_can_be_edited_inline_under_their_lesson(instructor_client):
    lesson = make_lesson(body="## Part\n\ntext\n")
    card = make_card(lesson=lesson, front="Old front?")
    page = instructor_client.get(f"/admin/lessons/lesson/{lesson.pk}/change/").content.decode()
    assert 'name="cards-0-front"' in page and "Old front?" in page
    data = {
        "title": lesson.title,
        "slug": lesson.slug,
        "topic": lesson.topic_id,
        "position": 1,
        "status": "published",
        "summary": "",
        "source": "",
        "theme": "",
        "date": "",
        "body": lesson.body,
        "cards-TOTAL_FORMS": "1",
        "cards-INITIAL_FORMS": "1",
        "cards-MIN_NUM_FORMS": "0",
        "cards-MAX_NUM_FORMS": "1000",
        "cards-0-id": card.pk,
        "cards-0-lesson": lesson.pk,
        "cards-0-kind": "reversed",
        "cards-0-front": "New front",
        "cards-0-back": "New back",
        "cards-0-section": "part",
        "cards-0-position": 0,
        "cards-0-is_active": "on",
    }
    response = instructor_client.post(f"/admin/lessons/lesson/{lesson.pk}/change/", data)
    assert response.status_code == 302
    assert list(Prompt.objects.filter(card=card).values_list("ordinal", flat=True)) == [1, 2]
    assert "New back" in Prompt.objects.get(card=card, ordinal=2).front_html


def test_learners_cannot_reach_the_card_admin(learner_client):
    assert learner_client.get("/admin/flashcards/card/").status_code == 302


def test_a_cards_section_is_a_select_of_its_lessons_headings(instructor_client):
    lesson = make_lesson(body="## Keys\n\ntext\n\n### Key rotation\n\nmore\n")
    card = make_card(lesson=lesson, section="keys")
    page = instructor_client.get(f"/admin/flashcards/card/{card.pk}/change/").content.decode()
    select = page[page.index('name="section"') :].split("</select>")[0]
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    assert [(value, html.unescape(label)) for value, label in options] == [
        ("", "— none —"),
        ("keys", "Keys — #keys"),
        ("key-rotation", "Key rotation — #key-rotation"),
    ]
    assert '<option value="keys" selected>' in select


def test_an_unknown_anchor_is_refused_naming_it_and_stays_chosen(instructor_client):
    lesson = make_lesson(body="## Keys\n\ntext\n")
    response = instructor_client.post(
        "/admin/flashcards/card/add/", card_form(lesson, section="nowhere")
    )
    page = html.unescape(response.content.decode())
    assert f"Lesson “{lesson.title}” has no section with the anchor “nowhere”" in page
    assert '<option value="nowhere" selected>#nowhere</option>' in page
    assert '<option value="keys">Keys — #keys</option>' in page
