"""The lesson's live preview in the admin: the lesson page's own markup for the body as typed,
its trees drawn, its problems listed with their lines, and nothing saved."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission

from flashcards.models import Card, Prompt
from lessons.models import Lesson
from tests.conftest import make_lesson, make_tree, make_user, preview_document
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
    assert f'hx-post="{URL}"' in page and 'hx-include="closest form"' in page
    assert "As of the last save." in page
    assert "Saved heading" in preview_document(page)
    add = instructor_client.get("/admin/lessons/lesson/add/").content.decode()
    assert f'hx-post="{URL}"' in add and "Nothing saved yet." in add


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
