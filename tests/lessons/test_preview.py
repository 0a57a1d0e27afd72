"""The lesson's live preview in the admin: the lesson page's own markup for the body as typed,
its trees drawn, its problems listed with their lines, and nothing saved."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission

from flashcards.models import Card, Prompt
from lessons.models import Lesson
from tests.conftest import make_card, make_lesson, make_tree, make_user, preview_document
from trees.models import Tree, TreeWalk

pytestmark = pytest.mark.django_db

URL = "/admin/lessons/lesson/preview/"

BODY = """\
Intro with **bold** and a [link](https://example.com).

## First section

| A | B |
|---|---|
| 1 | 2 |

[[tree:ways]]

!!! exam "Exam tip"
    Remember this.

### Sub section

```python
print("hi")
```

<script>alert(1)</script><img src=x onerror=alert(1)>
"""


def article(html: str) -> str:
    """The lesson's `<article>` element, as the lesson page and the preview both draw it."""
    return re.search(r'<article class="lesson".*?</article>', html, re.S)[0]


def form(**overrides) -> dict:
    data = {"title": "Backups", "slug": "backups", "summary": "About backups.", "body": BODY}
    return {**data, **overrides}


def test_the_preview_draws_the_body_exactly_as_the_lesson_page_does(instructor_client):
    make_tree(slug="ways")
    lesson = make_lesson(title="Backups", slug="backups", summary="About backups.", body=BODY)
    page = instructor_client.get(lesson.get_absolute_url()).content.decode()
    response = instructor_client.post(URL, form())
    assert response.status_code == 200
    document = preview_document(response.content.decode())
    assert article(document) == article(page)
    # The same sanitizer as saving: the script and the handler are gone, the tree is drawn.
    assert "<script" not in article(document) and "onerror" not in article(document)
    assert 'class="tree__question"' in article(document)


def test_the_preview_document_uses_the_sites_stylesheet_and_no_script(instructor_client):
    document = preview_document(instructor_client.post(URL, form()).content.decode())
    assert re.search(r'<link rel="stylesheet" href="/static/css/site[^"]*\.css">', document)
    assert "<script" not in document
    assert "admin" not in re.findall(r'href="([^"]+\.css)"', document)[0]


def test_the_answer_is_a_fragment_for_the_pane(instructor_client):
    answer = instructor_client.post(URL, form()).content.decode()
    assert "<html" not in answer  # the document is escaped into srcdoc
    assert 'class="live-preview__status"' in answer
    assert 'sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"' in answer


def test_the_edit_page_carries_the_pane_posting_the_form(instructor_client):
    lesson = make_lesson(body="## Saved heading\n")
    page = instructor_client.get(f"/admin/lessons/lesson/{lesson.pk}/change/").content.decode()
    assert "<html" in page
    # An edit page's preview names its lesson, whose saved cards the typed rows are bound to.
    assert f'hx-post="{URL}?object_id={lesson.pk}"' in page
    assert 'hx-include="closest form"' in page
    assert "As of the last save." in page
    assert "Saved heading" in preview_document(page)
    add = instructor_client.get("/admin/lessons/lesson/add/").content.decode()
    assert f'hx-post="{URL}"' in add and "Not drawn yet." in add


def test_a_refused_save_does_not_show_the_typed_body_as_the_last_save(instructor_client):
    """On a refused save the admin's object holds the submitted fields, inside the POST's
    transaction: the pane draws nothing then (htmx draws the form as typed on load)."""
    lesson = make_lesson(body="## Saved heading\n")
    refused = instructor_client.post(
        f"/admin/lessons/lesson/{lesson.pk}/change/",
        {
            "title": "",  # required: the save is refused
            "slug": lesson.slug,
            "topic": lesson.topic_id,
            "position": 1,
            "status": lesson.status,
            "body": "## Typed heading\n",
            "cards-TOTAL_FORMS": 0,
            "cards-INITIAL_FORMS": 0,
        },
    )
    page = refused.content.decode()
    assert refused.status_code == 200 and "This field is required." in page
    assert "As of the last save." not in page and "live-preview__frame" not in page
    assert f'hx-post="{URL}?object_id={lesson.pk}"' in page


def test_a_marker_naming_no_tree_is_a_warning_with_its_line(instructor_client):
    body = "Intro.\n\n[[tree:nowhere]]\n"
    answer = instructor_client.post(URL, form(body=body)).content.decode()
    assert "line 3: [[tree:nowhere]] names no tree; learners see nothing there" in answer
    assert "Missing decision tree." in preview_document(answer)


def test_a_draft_tree_is_drawn_for_the_instructor(instructor_client):
    make_tree(slug="ways")  # placed in no published lesson: a draft
    document = preview_document(instructor_client.post(URL, form()).content.decode())
    assert "Missing decision tree." not in document and "Which way?" in document


def test_a_body_nested_too_deep_is_a_problem_with_its_line_and_draws_nothing(
    instructor_client,
):
    body = "Intro.\n\n" + ">" * 30 + " deep\n"
    answer = instructor_client.post(URL, form(body=body)).content.decode()
    assert "line 3: lists, block quotes and admonitions are nested more than 20 deep" in answer
    assert preview_document(answer) == ""


def test_previews_save_nothing(instructor_client, instructor):
    make_tree(slug="ways")
    lesson = make_lesson(body="Old.\n")
    before = [model.objects.count() for model in (Lesson, Card, Prompt, Tree, TreeWalk)]
    logged = LogEntry.objects.count()
    instructor_client.post(URL, form(slug=lesson.slug, body=BODY))
    instructor_client.post("/admin/trees/tree/preview/", {"definition": "? q: Q?\n- A -> a\n"})
    card = {"lesson": lesson.pk, "kind": "cloze", "front": "{{c1::Paris}} is in France"}
    instructor_client.post("/admin/flashcards/card/preview/", card)
    assert [model.objects.count() for model in (Lesson, Card, Prompt, Tree, TreeWalk)] == before
    assert LogEntry.objects.count() == logged
    lesson.refresh_from_db()
    assert lesson.body == "Old.\n"


def test_only_who_may_add_or_change_lessons_may_preview(client, learner_client):
    assert learner_client.post(URL, form()).status_code == 302  # to the admin's log-in
    staff = make_user(is_staff=True)
    client.force_login(staff)
    assert client.post(URL, form()).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="add_lesson"))
    assert client.post(URL, form()).status_code == 200


def test_a_get_is_refused(instructor_client):
    assert instructor_client.get(URL).status_code == 405


def cards_form(lesson=None, *rows: dict, initial: int = 0, **overrides) -> dict:
    """The lesson form as the admin posts it, with its inline cards' rows (prefix "cards")."""
    data = form(**overrides)
    data.update(
        {
            "cards-TOTAL_FORMS": str(len(rows)),
            "cards-INITIAL_FORMS": str(initial),
            "cards-MIN_NUM_FORMS": "0",
            "cards-MAX_NUM_FORMS": "1000",
        }
    )
    for index, row in enumerate(rows):
        fields = {"kind": "basic", "position": "0", "is_active": "on", "section": "", **row}
        if lesson is not None:
            fields.setdefault("lesson", str(lesson.pk))
        data.update({f"cards-{index}-{name}": value for name, value in fields.items()})
    return data


def card_documents(document: str) -> dict[str, str]:
    """Each card's part of the preview document, by its heading ("Card 2")."""
    parts = re.split(r'<h3 id="preview-card-\d+">', document)[1:]
    return {part.split("</h3>", 1)[0]: part for part in parts}


def test_the_cards_typed_under_the_lesson_are_shown_with_their_problems(instructor_client):
    make_tree(slug="ways")
    cloze = {"kind": "cloze", "front": "{{c1::Paris}} is in France", "section": "first-section"}
    broken = {"kind": "basic", "front": "Why back up?"}
    astray = {"kind": "basic", "front": "Where?", "back": "Here.", "section": "nowhere"}
    rows = (cloze, broken, astray)
    answer = instructor_client.post(URL, cards_form(None, *rows)).content.decode()
    document = preview_document(answer)
    cards = card_documents(document)
    assert list(cards) == ["Card 1", "Card 2", "Card 3"]
    # Each as the study page shows it, through the card preview's own template.
    assert "<mark>[…]</mark> is in France" in cards["Card 1"]
    assert "<mark>Paris</mark> is in France" in cards["Card 1"]
    assert "Why back up?" in cards["Card 2"] and 'class="flashcard__divider"' in cards["Card 2"]
    # The broken card's problems name it; its section is checked against the body typed (the
    # cloze points at "## First section", which is in no saved body).
    assert "Card 2: the card has no back: add an &#x27;A:&#x27; line" in answer
    assert (
        "Card 3: Section: Lesson “Backups” has no section with the anchor “nowhere”"
        " (in the body being saved)." in answer
    )
    assert "Card 1:" not in answer
    assert "2 problems:" in answer


def test_an_edited_lessons_rows_show_as_typed_without_those_marked_for_deletion(
    instructor_client,
):
    lesson = make_lesson(title="Backups", slug="backups", body="## Keys\n")
    kept = make_card(lesson=lesson, front="Saved front?", back="Saved back.")
    gone = make_card(lesson=lesson, front="Deleted front?", back="Gone.")
    rows = (
        {"id": str(kept.pk), "front": "Changed front?", "back": "Saved back.", "section": "keys"},
        {"id": str(gone.pk), "front": "Deleted front?", "back": "Gone.", "DELETE": "on"},
        {"front": "", "back": ""},  # an added row left blank
    )
    data = cards_form(lesson, *rows, initial=2, body="## Keys\n\n## Rotation\n")
    answer = instructor_client.post(f"{URL}?object_id={lesson.pk}", data).content.decode()
    document = preview_document(answer)
    assert list(card_documents(document)) == ["Card 1"]
    assert "Changed front?" in document and "Deleted front?" not in document
    assert "problem" not in answer
    # Nothing saved: the rows are bound to the lesson's cards, but only shown.
    kept.refresh_from_db()
    assert kept.front == "Saved front?" and lesson.cards.count() == 2


def test_the_answer_carries_the_section_choices_of_the_body_as_typed(instructor_client):
    body = "## Keys\n\n### Key rotation\n"
    answer = instructor_client.post(URL, form(body=body)).content.decode()
    found = re.search(r'<div id="live-preview-data" hidden data-json="([^"]*)">', answer)
    assert json.loads(html.unescape(found[1])) == {
        "section_choices": [
            ["", "— none —"],
            ["keys", "Keys — #keys"],
            ["key-rotation", "Key rotation — #key-rotation"],
        ]
    }


def test_a_body_that_cannot_be_drawn_carries_no_choices(instructor_client):
    answer = instructor_client.post(URL, form(body=">" * 30 + " deep\n")).content.decode()
    assert "live-preview-data" not in answer


def test_the_preview_of_a_saved_lesson_needs_the_right_to_change_it(client, instructor_client):
    lesson = make_lesson()
    assert instructor_client.post(f"{URL}?object_id={lesson.pk}", form()).status_code == 200
    assert instructor_client.post(f"{URL}?object_id=999999", form()).status_code == 404
    staff = make_user(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="add_lesson"))
    client.force_login(staff)
    assert client.post(URL, form()).status_code == 200
    assert client.post(f"{URL}?object_id={lesson.pk}", form()).status_code == 403


def test_without_javascript_the_pane_shows_the_saved_lesson_with_its_saved_cards(
    instructor_client,
):
    lesson = make_lesson(body="## Saved heading\n")
    make_card(lesson=lesson, kind="cloze", front="{{c1::Paris}} is in France", back="")
    page = instructor_client.get(f"/admin/lessons/lesson/{lesson.pk}/change/").content.decode()
    cards = card_documents(preview_document(page))
    assert list(cards) == ["Card 1"]
    assert "<mark>[…]</mark> is in France" in cards["Card 1"]


def test_a_question_typed_under_the_lesson_previews_as_asked_with_its_answer_sheet(
    instructor_client,
):
    question = {
        "kind": "question",
        "front": "Which keeps a copy past 35 days?",
        "back": "- [x] A manual snapshot.\n  why: Kept until deleted.\n"
        "- [ ] An automated backup.\n  why: At most 35 days.\n"
        "- [ ] Backtrack.\n  why: Rewinds at most 72 hours.\n",
    }
    make_tree(slug="ways")
    answer = instructor_client.post(URL, cards_form(None, question)).content.decode()
    card = card_documents(preview_document(answer))["Card 1"]
    asked, sheet = card.split("The answer sheet, shown once the learner checks")
    assert "Which keeps a copy past 35 days?" in asked and asked.count('type="radio"') == 3
    assert "Kept until deleted" not in asked
    assert 'class="answer-sheet"' in sheet and "Rewinds at most 72 hours." in sheet
    assert "problem" not in answer
