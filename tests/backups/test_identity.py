"""Telling this portal's database from another Django project's, an empty one, or a newer one."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from backups.identity import own_apps, portal_database_problem

LOADER = MigrationLoader(None, ignore_no_migrations=True)
RECORDED = set(LOADER.graph.nodes)  # every migration this code has
TABLES = {*connection.introspection.django_table_names(), "django_migrations"}


def test_this_portals_database_passes():
    assert portal_database_problem(tables=TABLES, recorded=RECORDED) is None


def test_the_portals_own_apps_are_those_of_this_repository():
    assert {"lessons", "trees", "flashcards", "search"} <= set(own_apps(LOADER))
    assert not {"auth", "contenttypes", "sessions", "admin", "axes"} & set(own_apps(LOADER))


def test_another_django_projects_database_is_refused():
    recorded = {
        ("contenttypes", "0001_initial"),
        ("auth", "0001_initial"),
        ("blog", "0001_initial"),
    }
    tables = {"django_migrations", "django_content_type", "auth_user", "blog_post"}
    problem = portal_database_problem(tables=tables, recorded=recorded)
    assert problem.startswith(
        "not of this portal: it records no migrations of analytics, flashcards, lessons"
    )


def test_an_empty_database_is_refused():
    assert "no django_migrations table" in portal_database_problem(tables=set(), recorded=set())


def test_a_database_from_newer_code_is_refused_naming_the_migrations():
    recorded = RECORDED | {("flashcards", "9999_from_newer_code")}
    problem = portal_database_problem(tables=TABLES | {"flashcards_future"}, recorded=recorded)
    assert problem == "from newer code: it records migrations this code lacks " + (
        "(flashcards.9999_from_newer_code)"
    )


def test_a_database_from_older_code_passes_without_the_tables_newer_migrations_add():
    """`restore` then says to run `migrate`."""
    # Code from before 0005, which made the table: later migrations are missing too.
    newer = {
        (app, name)
        for app, name in RECORDED
        # practice, notes', decks' and pagecache's migrations came later
        if (app == "flashcards" and name >= "0005")
        or app in {"practice", "notes", "decks", "pagecache"}
    }
    recorded = RECORDED - newer
    tables = TABLES - {"flashcards_newagain"}
    assert portal_database_problem(tables=tables, recorded=recorded) is None
    # Its migrations say the others must be there.
    assert "flashcards_review" in portal_database_problem(
        tables=tables - {"flashcards_review"}, recorded=recorded
    )


def test_a_database_from_before_an_app_had_migrations_passes():
    """Backups made before issue 15 record no `accounts` migration (the email index, password
    reset's table); `migrate` adds them."""
    recorded = {(app, name) for app, name in RECORDED if app != "accounts"}
    tables = TABLES - {"accounts_resetrequest"}
    assert portal_database_problem(tables=tables, recorded=recorded) is None


def test_a_database_from_before_suggested_cards_passes():
    """Backups made before issue 21 record no `notes` migration (suggested cards)."""
    recorded = {(app, name) for app, name in RECORDED if app != "notes"}
    tables = TABLES - {"notes_suggestion"}
    assert portal_database_problem(tables=tables, recorded=recorded) is None


def test_a_database_missing_tables_its_migrations_made_is_refused():
    problem = portal_database_problem(
        tables=TABLES - {"flashcards_review", "auth_user_groups"}, recorded=RECORDED
    )
    assert problem == (
        "not a whole portal database: 2 of its tables are missing "
        "(auth_user_groups, flashcards_review)"
    )
