"""The database triggers that change the content version on every write to page content.

Triggers rather than signals: `QuerySet.update()`, `bulk_create`, cascaded deletes and raw SQL
send no signal, and a missed write would let a cached page go stale.

- PostgreSQL: one `BEFORE ... FOR EACH STATEMENT` trigger per table, so a bulk write of 5,000
  rows bumps once, not 5,000 times. BEFORE, so that the version row is locked before the
  statement locks any content row: two content writers then queue on the version row rather
  than each holding a row the other wants. Every statement bumps, even the second in one
  transaction: a page rendered inside that transaction between two writes (as tests do) must
  not be kept under a token that the second write would leave unchanged.
- SQLite has only row triggers: each is one UPDATE of one row by its primary key (a few
  microseconds; `HANDOFF.md` has the import's write phase with and without them).

`triggers_install` is idempotent and is run by the migration, after every `migrate` (a later
migration that rebuilds a table on SQLite drops its triggers) and after a backup is restored.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, connections

VERSION_TABLE = "pagecache_contentversion"
PREFIX = "pagecache_bump_"
FUNCTION = "pagecache_bump"

# What the home, topic, lesson and tree pages draw: topics and lessons (which lessons and
# trees a visitor may see follows from their status and topic), trees and their outcomes'
# links (a tree's nodes and choices are stored compiled on the tree row), and the cards a
# lesson counts (tags and the card-tag table included, for the cards' scopes). Not a learner's
# own states, marks or reviews: visitors' pages do not show them, and learners' pages are
# never served from the cache.
CONTENT_MODELS = (
    "lessons.Topic",
    "lessons.Lesson",
    "trees.Tree",
    "trees.OutcomeLink",
    "flashcards.Tag",
    "flashcards.Card",
    "flashcards.Card_tags",
    "flashcards.Prompt",
)


def content_tables(apps=global_apps) -> list[str]:
    return [apps.get_model(label)._meta.db_table for label in CONTENT_MODELS]


def triggers_install(connection, tables: list[str] | None = None) -> None:
    """(Re)create the triggers on every content table, and the version row if it is missing."""
    tables = content_tables() if tables is None else tables
    with connection.cursor() as cursor:
        for statement in _install_statements(connection.vendor, tables):
            cursor.execute(statement)
        # A flush (transactional tests) or a restore may leave no row; the token is random.
        cursor.execute(_insert_missing_row(connection.vendor))


def triggers_uninstall(connection, tables: list[str] | None = None) -> None:
    tables = content_tables() if tables is None else tables
    with connection.cursor() as cursor:
        for table in tables:
            for name in _trigger_names(connection.vendor, table):
                if connection.vendor == "postgresql":
                    cursor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


def triggers_install_after_migrate(*, using: str = DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    """post_migrate: install the triggers if the version table and the content tables exist
    (a partial migrate, `migrate pagecache zero` or an old restored backup may lack them)."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    try:
        tables = content_tables(apps)
    except LookupError:  # a content model not migrated yet in this migrate's state
        return
    if VERSION_TABLE in existing and set(tables) <= existing:
        triggers_install(connection, tables)


def content_version_renew_after_restore(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """After a backup is put back: the triggers again (a backup from before this app has none),
    and a new token, since the backup's token may be one that cached pages were kept under."""
    triggers_install_after_migrate(using=using)
    connection = connections[using]
    if VERSION_TABLE in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {VERSION_TABLE} SET token = {_new_token(connection.vendor)} WHERE id = 1"
            )


def installed_triggers(connection) -> set[str]:
    """The names of the version triggers the database holds (for tests and checks)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s",
                [PREFIX + "%"],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [PREFIX + "%"],
            )
        return {row[0] for row in cursor.fetchall()}


def expected_triggers(vendor: str, tables: list[str] | None = None) -> set[str]:
    tables = content_tables() if tables is None else tables
    return {name for table in tables for name in _trigger_names(vendor, table)}


def _trigger_names(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [PREFIX + table]
    return [f"{PREFIX}{table}_{event.lower()}" for event in ("INSERT", "UPDATE", "DELETE")]


def _new_token(vendor: str) -> str:
    if vendor == "postgresql":
        return "md5(gen_random_uuid()::text)"
    return "lower(hex(randomblob(16)))"


def _insert_missing_row(vendor: str) -> str:
    return (
        f"INSERT INTO {VERSION_TABLE} (id, token) SELECT 1, {_new_token(vendor)} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {VERSION_TABLE} WHERE id = 1)"
    )


def _install_statements(vendor: str, tables: list[str]) -> list[str]:
    bump = f"UPDATE {VERSION_TABLE} SET token = {_new_token(vendor)} WHERE id = 1"
    if vendor == "postgresql":
        statements = [
            f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {bump};
                RETURN NULL;
            END $$"""
        ]
        for table in tables:
            statements.append(
                f"CREATE OR REPLACE TRIGGER {PREFIX}{table} "
                f'BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            )
        return statements
    if vendor != "sqlite":
        raise NotImplementedError(f"No content-version triggers for {vendor}.")
    statements = []
    for table in tables:
        for event in ("INSERT", "UPDATE", "DELETE"):
            name = f"{PREFIX}{table}_{event.lower()}"
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            statements.append(f'CREATE TRIGGER {name} AFTER {event} ON "{table}" BEGIN {bump}; END')
    return statements
