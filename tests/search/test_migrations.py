"""The migrations' own functions: each database's index taken down and built again, and the
content that already exists indexed through historical models.

They run inside the test's transaction (DDL is transactional on SQLite and PostgreSQL) rather
than through `migrate`, which would need a transactional test whose flush re-creates content
types under the serialized-rollback browser tests that follow it.
"""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from search.models import Entry
from tests.conftest import make_card, make_lesson, make_tree
from tests.search.conftest import found

pytestmark = pytest.mark.django_db

initial = importlib.import_module("search.migrations.0001_initial")
fill_index = importlib.import_module("search.migrations.0002_fill_index")


class SchemaEditor:
    """What the migrations' functions use of a schema editor, without the SQLite one's refusal
    to open inside a transaction (it turns foreign key checks off for table rebuilds)."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def full_text_objects() -> set[str]:
    """The index's own database objects beside the search_entry table."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE name LIKE %s AND type IN (%s, %s)",
                ["search_entry_fts%", "table", "trigger"],
            )
        else:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = %s AND column_name = %s "
                "UNION SELECT indexname FROM pg_indexes WHERE indexname = %s",
                ["search_entry", "search_vector", "search_entry_search_vector"],
            )
        return {row[0] for row in cursor.fetchall()}


def test_the_full_text_index_is_taken_down_and_built_again():
    built = full_text_objects()
    # SQLite: the FTS5 table, its four shadow tables, three triggers; PostgreSQL: column, index.
    assert len(built) == (8 if connection.vendor == "sqlite" else 2)
    initial.drop_full_text_index(None, SchemaEditor())
    assert full_text_objects() == set()
    initial.create_full_text_index(None, SchemaEditor())
    assert full_text_objects() == built
    make_lesson(slug="seals", body="## Walruses\n\nTusks.\n")
    assert found("tusks") == [("section", "/lessons/seals/#walruses")]


def test_the_fill_indexes_existing_content_with_the_historical_models():
    lesson = make_lesson(slug="seals", body="## Walruses\n\nTusks.\n")
    make_card(lesson=lesson, front="Walrus tusks?")
    make_tree(slug="walrus-tree", title="Walrus tree")
    Entry.objects.all().delete()  # as before migration 0002
    historical = MigrationLoader(connection).project_state(("search", "0002_fill_index")).apps
    fill_index.fill(historical, SchemaEditor())
    assert {kind for kind, _url in found("walrus")} == {"section", "card", "tree"}
    assert ("section", "/lessons/seals/#walruses") in found("tusks")


reindex_questions = importlib.import_module("search.migrations.0003_question_cards_without_whys")


def test_question_cards_indexed_with_their_whys_are_indexed_again_without():
    from tests.flashcards.conftest import make_question

    question = make_question(lesson=make_lesson(slug="seals", body="## Snapshots\n\ntext\n"))
    # As migration 0002 left it: the option's why in the row's body.
    Entry.objects.filter(card=question.card).update(body="Point-in-time recovery restores")
    assert found("recovery") == [("card", "/lessons/seals/#snapshots")]
    historical = (
        MigrationLoader(connection)
        .project_state(("search", "0003_question_cards_without_whys"))
        .apps
    )
    reindex_questions.reindex_questions(historical, SchemaEditor())
    assert found("recovery") == []
    assert [kind for kind, _url in found("Backtrack")] == ["card"]
