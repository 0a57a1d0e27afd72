"""The index rows, then each database's own full-text index over them.

SQLite: an FTS5 table over the rows (external content, so the text is stored once), kept in
step by three triggers: https://www.sqlite.org/fts5.html#external_content_tables
PostgreSQL: a generated `tsvector` column, weighted title A, context C, body D, with a GIN index:
https://www.postgresql.org/docs/current/textsearch-tables.html

Careful: on SQLite, a later migration that alters `search_entry` rebuilds the table, which drops
its triggers; such a migration must create them again and rebuild the index. On PostgreSQL a
column the generated one reads cannot change type until that column is dropped.
"""

import django.db.models.deletion
from django.db import migrations, models

SQLITE_CREATE = [
    """
    CREATE VIRTUAL TABLE search_entry_fts USING fts5(
        title, context, body,
        content='search_entry', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_entry BEGIN
        INSERT INTO search_entry_fts(rowid, title, context, body)
        VALUES (new.id, new.title, new.context, new.body);
    END
    """,
    """
    CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_entry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, title, context, body)
        VALUES ('delete', old.id, old.title, old.context, old.body);
    END
    """,
    """
    CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_entry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, title, context, body)
        VALUES ('delete', old.id, old.title, old.context, old.body);
        INSERT INTO search_entry_fts(rowid, title, context, body)
        VALUES (new.id, new.title, new.context, new.body);
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_entry_fts_update",
    "DROP TRIGGER IF EXISTS search_entry_fts_delete",
    "DROP TRIGGER IF EXISTS search_entry_fts_insert",
    "DROP TABLE IF EXISTS search_entry_fts",
]

# 'english' stems as the Porter tokenizer does on SQLite; to_tsvector with a named
# configuration is immutable, which a generated column requires.
POSTGRESQL_CREATE = [
    """
    ALTER TABLE search_entry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', context), 'C')
        || setweight(to_tsvector('english', body), 'D')
    ) STORED
    """,
    "CREATE INDEX search_entry_search_vector ON search_entry USING gin (search_vector)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS search_entry_search_vector",
    "ALTER TABLE search_entry DROP COLUMN IF EXISTS search_vector",
]


def _run(schema_editor, statements_by_vendor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements_by_vendor:
        raise NotImplementedError(f"Search supports SQLite and PostgreSQL, not {vendor}.")
    for statement in statements_by_vendor[vendor]:
        schema_editor.execute(statement)


def create_full_text_index(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE})


def drop_full_text_index(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("flashcards", "0003_user_indexes_are_composite"),
        ("lessons", "0002_instructors_group"),
        ("trees", "0002_instructors_manage_trees"),
    ]

    operations = [
        migrations.CreateModel(
            name="Entry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("section", "Lesson section"), ("card", "Flashcard"), ("tree", "Decision tree")], max_length=10)),
                ("anchor", models.TextField(blank=True, help_text="Heading anchor, if any.")),
                ("position", models.PositiveIntegerField(default=0, help_text="Section order in the lesson.")),
                ("title", models.TextField()),
                ("context", models.TextField(blank=True, help_text="The lesson's title; matched, weighted low.")),
                ("body", models.TextField(blank=True)),
                ("card", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="flashcards.card")),
                ("lesson", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="lessons.lesson")),
                ("tree", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="trees.tree")),
            ],
            options={
                "verbose_name_plural": "entries",
                "constraints": [
                    models.UniqueConstraint(fields=("card",), name="search_one_entry_per_card"),
                    models.UniqueConstraint(fields=("tree",), name="search_one_entry_per_tree"),
                ],
            },
        ),
        migrations.RunPython(create_full_text_index, drop_full_text_index),
    ]
