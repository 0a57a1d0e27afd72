"""Writing the index: a lesson's rows replaced whole, and the whole index rebuilt."""

from __future__ import annotations

import pytest

from flashcards.models import Card
from search.models import Entry
from search.services import index_rebuild, lesson_index
from tests.conftest import make_card, make_lesson, make_tree
from tests.search.conftest import found

pytestmark = pytest.mark.django_db


def test_indexing_a_lesson_again_replaces_its_rows():
    lesson = make_lesson(body="## One\n\nWalrus.\n\n## Two\n\nNarwhal.\n")
    lesson_index(lesson=lesson)
    lesson_index(lesson=lesson)
    assert list(
        Entry.objects.filter(lesson=lesson).order_by("position").values_list("anchor", "title")
    ) == [("", lesson.title), ("one", "One"), ("two", "Two")]


def test_a_rebuild_makes_the_same_index_from_the_content(bundled_content):
    before = {query: found(query) for query in ("percona", "snapshot", "encryption")}
    Entry.objects.all().delete()
    assert found("percona") == []
    counts = index_rebuild()
    assert (counts.cards, counts.trees) == (Card.objects.count(), 7)  # the bundled trees
    assert counts.sections == Entry.objects.filter(kind="section").count()
    assert {query: found(query) for query in before} == before


def test_a_rebuild_indexes_drafts_and_retired_cards_for_later_but_does_not_show_them():
    lesson = make_lesson(status="draft", body="## Part\n\nWalrus.\n")
    make_card(lesson=lesson, front="Walrus?", is_active=False)
    tree = make_tree(title="Walrus tree")
    counts = index_rebuild()
    assert (counts.sections, counts.cards, counts.trees) == (2, 1, 1)  # the opening and "Part"
    assert found("walrus") == [("tree", tree.get_absolute_url())]
