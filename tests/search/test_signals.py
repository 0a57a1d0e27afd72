"""The index follows the content: every way a lesson, card or tree is saved or deleted."""

from __future__ import annotations

import pytest

from flashcards.models import Card
from lessons.models import Lesson
from notes.services import NoteFile, notes_import
from search.models import Entry
from tests.conftest import make_card, make_lesson, make_tree
from tests.search.conftest import found
from trees.services import tree_save

pytestmark = pytest.mark.django_db


def test_editing_a_lesson_reindexes_its_sections():
    lesson = make_lesson(slug="seals", body="## Old heading\n\nWalrus.\n")
    lesson.body = "## New heading\n\nNarwhal.\n"
    lesson.save()
    assert found("walrus") == []
    assert found("narwhal") == [("section", "/lessons/seals/#new-heading")]


def test_a_heading_of_any_length_is_indexed_with_its_anchor():
    heading = "Walrus " + "very " * 80 + "long heading"
    lesson = make_lesson(slug="long", body=f"## {heading}\n\nTusks.\n")
    (anchor,) = lesson.sections()
    assert len(anchor) > 300
    assert found("tusks") == [("section", f"/lessons/long/#{anchor}")]


def test_renaming_a_lesson_moves_its_cards_along():
    lesson = make_lesson(slug="walruses", title="Walruses")
    make_card(lesson=lesson, front="Tusks?", back="Ivory.", section="first-part")
    assert found("walruses tusks") == [("card", "/lessons/walruses/#first-part")]
    lesson.title, lesson.slug = "Narwhals", "narwhals"
    lesson.save()
    assert found("walruses tusks") == []
    assert found("narwhals tusks") == [("card", "/lessons/narwhals/#first-part")]


def test_a_save_that_leaves_the_text_alone_leaves_the_index_alone(django_assert_num_queries):
    lesson = make_lesson(body="## Part\n\nWalrus.\n")
    lesson.status = Lesson.Status.DRAFT
    with django_assert_num_queries(1):  # the UPDATE of the lesson, nothing more
        lesson.save(update_fields=["status"])
    assert found("walrus") == []


def test_editing_a_card_reindexes_it():
    card = make_card(front="Walrus?", back="Tusks.")
    card.front, card.section = "Narwhal?", "second-part"
    card.save()
    assert found("walrus") == []
    assert found("narwhal") == [("card", card.lesson.get_absolute_url() + "#second-part")]
    assert Entry.objects.filter(card=card).count() == 1


def test_saving_a_tree_reindexes_it_with_its_questions_and_reasons():
    tree = make_tree(slug="seals", title="Seals")
    assert found("shorter") == [("tree", "/trees/seals/")]  # a choice's "why:"
    definition = "? q: Walrus or narwhal?\n- Walrus -> w\n- Narwhal -> w\n= w: Tusks"
    tree_save(tree=tree, slug="seals", title="Seals", intro="", definition=definition)
    assert found("shorter") == []
    assert found("narwhal") == [("tree", "/trees/seals/")]


def test_deleting_content_deletes_its_rows():
    lesson = make_lesson(body="## Part\n\nWalrus.\n")
    card = make_card(front="Walrus?")
    tree = make_tree(title="Walrus tree")
    assert len(found("walrus")) == 3
    lesson.delete()
    card.delete()
    tree.delete()
    assert found("walrus") == []
    assert not Entry.objects.filter(kind__in=["card", "tree"]).exists()


NOTE = """# 2026-01-06 — Seals

**Topic:** Animals

## Walruses

{text}

```flashcards
Q: {question}
A: Ivory.
section: walruses
```
"""


def note(text: str, question: str) -> NoteFile:
    return NoteFile("seals.md", NOTE.format(text=text, question=question).encode())


def test_importing_a_note_again_reindexes_what_changed_and_drops_retired_cards():
    notes_import(files=[note("Walruses have tusks.", "What do walruses grow?")])
    assert {kind for kind, _url in found("walruses")} == {"section", "card"}
    notes_import(files=[note("Narwhals have a horn.", "Where do narwhals live?")])
    assert found("tusks") == []
    assert found("grow") == []  # the old card is retired, not deleted
    assert Card.objects.filter(is_active=False).count() == 1
    assert {url for _kind, url in found("narwhals")} == {"/lessons/seals/#walruses"}
    assert len(found("narwhals")) == 2


def test_a_dry_run_import_leaves_the_index_as_it_was():
    notes_import(files=[note("Walruses.", "Tusks?")], dry_run=True)
    assert found("walruses") == []
    assert not Entry.objects.exists()


def test_editing_a_lesson_in_the_admin_reindexes_it(instructor_client):
    lesson = make_lesson(slug="seals", title="Seals", body="## Part\n\nWalrus.\n")
    response = instructor_client.post(
        f"/admin/lessons/lesson/{lesson.pk}/change/",
        {
            "title": "Seals",
            "slug": "seals",
            "topic": lesson.topic_id,
            "position": 1,
            "status": "published",
            "summary": "",
            "source": "",
            "theme": "",
            "date": "",
            "body": "## Narwhals\n\nA tusk.\n",
            "cards-TOTAL_FORMS": "0",
            "cards-INITIAL_FORMS": "0",
            "cards-MIN_NUM_FORMS": "0",
            "cards-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    assert found("walrus") == []
    assert found("tusk") == [("section", "/lessons/seals/#narwhals")]


def test_the_admins_publish_actions_show_and_hide_lessons(instructor_client):
    lesson = make_lesson(status=Lesson.Status.DRAFT, body="## Part\n\nWalrus.\n")
    changelist = "/admin/lessons/lesson/"
    instructor_client.post(changelist, {"action": "publish", "_selected_action": [lesson.pk]})
    assert len(found("walrus")) == 1
    instructor_client.post(changelist, {"action": "unpublish", "_selected_action": [lesson.pk]})
    assert found("walrus") == []
