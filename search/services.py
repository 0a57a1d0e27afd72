"""Writes to the search index: a lesson's sections, a card, a tree, or all of them at once.

search.signals calls the first three whenever content is saved; `manage.py
rebuild_search_index` and migration 0002 fill the whole index.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from flashcards.models import Card
from lessons.models import Lesson
from search.models import Entry
from search.text import Document, card_document, clean, lesson_documents, tree_document
from trees.models import Tree

BATCH = 500


def lesson_index(*, lesson: Lesson) -> None:
    """Index the lesson's sections as its stored HTML now stands, and give its cards' rows the
    lesson's current title."""
    Entry.objects.filter(kind=Entry.Kind.SECTION, lesson=lesson).delete()
    Entry.objects.bulk_create(lesson_rows(lesson))
    title = clean(lesson.title)
    Entry.objects.filter(kind=Entry.Kind.CARD, lesson=lesson).exclude(context=title).update(
        context=title
    )


def card_index(*, card: Card) -> None:
    row = card_row(card, lesson_title=card.lesson.title)
    Entry.objects.update_or_create(card=card, defaults=_values(row))


def tree_index(*, tree: Tree) -> None:
    row = tree_row(tree)
    Entry.objects.update_or_create(tree=tree, defaults=_values(row))


def _values(row: Entry) -> dict[str, object]:
    return {
        field.attname: getattr(row, field.attname)
        for field in Entry._meta.concrete_fields
        if not field.primary_key
    }


# Rows, built but not saved. `model` is the Entry model to build with: migration 0002 passes
# its historical one, and reads content through historical models too.


def lesson_rows(lesson, *, model=Entry) -> list:
    documents = lesson_documents(
        title=lesson.title, summary=lesson.summary, body_html=lesson.body_html
    )
    return [
        model(kind=Entry.Kind.SECTION, lesson_id=lesson.pk, **document.as_fields())
        for document in documents
    ]


def card_row(card, *, lesson_title: str, model=Entry):
    return card_entry(card, card_search_document(card, lesson_title=lesson_title), model=model)


def card_search_document(card, *, lesson_title: str) -> Document:
    """What the index holds for a card. Computed apart from its row so that a note's import
    can work it out before the card exists (flashcards.card_sync.cards_plan)."""
    return card_document(
        kind=card.kind,
        front=card.front,
        back=card.back,
        section=card.section,
        lesson_title=lesson_title,
    )


def card_entry(card, document: Document, *, model=Entry):
    return model(
        kind=Entry.Kind.CARD, card_id=card.pk, lesson_id=card.lesson_id, **document.as_fields()
    )


def tree_row(tree, *, model=Entry):
    document = tree_document(title=tree.title, intro=tree.intro, definition=tree.definition)
    return model(kind=Entry.Kind.TREE, tree_id=tree.pk, **document.as_fields())


@dataclass(frozen=True)
class IndexCounts:
    sections: int
    cards: int
    trees: int


def index_fill(*, entry_model, lesson_model, card_model, tree_model) -> IndexCounts:
    """Add rows for every lesson, card and tree, drafts and retired cards too (whether a
    learner may see a row is decided when searching). Expects an empty index."""
    sections = []
    for lesson in lesson_model.objects.only("id", "title", "summary", "body_html").iterator():
        sections += lesson_rows(lesson, model=entry_model)
    cards = [
        card_row(card, lesson_title=card.lesson.title, model=entry_model)
        for card in card_model.objects.select_related("lesson")
        .only("id", "kind", "front", "back", "section", "lesson_id", "lesson__title")
        .iterator()
    ]
    trees = [
        tree_row(tree, model=entry_model)
        for tree in tree_model.objects.only("id", "title", "intro", "definition").iterator()
    ]
    entry_model.objects.bulk_create([*sections, *cards, *trees], batch_size=BATCH)
    return IndexCounts(sections=len(sections), cards=len(cards), trees=len(trees))


@transaction.atomic
def index_rebuild() -> IndexCounts:
    """Empty the index and fill it again from the content as it stands."""
    Entry.objects.all().delete()
    return index_fill(entry_model=Entry, lesson_model=Lesson, card_model=Card, tree_model=Tree)
