"""backup, restore, export_progress and import_progress, on the database the suite runs on.

Restoring replaces the whole test database, so those tests commit for real
(transaction=True) and pytest-django empties the tables afterwards. They roll back by
serialization, as the browser tests do, so that the emptying does not recreate content types
and permissions with new ids, which the next browser test's setup would then collide with.
"""

from __future__ import annotations

import html
import json
import os
import re
import sqlite3
import stat
import subprocess
import time
from contextlib import closing
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from backups.database import _pg, database_backup
from flashcards.models import COUNTER_MAX, RETENTION_RANGE, PromptState, Review
from flashcards.scheduling import DIFFICULTY_RANGE, STABILITY_MIN
from pagecache.triggers import expected_triggers, installed_triggers
from pagecache.versions import content_version
from tests.backups.conftest import START, progress_of
from tests.conftest import grade_now, make_card, make_user

ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
sqlite_only = pytest.mark.skipif(
    not ON_SQLITE, reason="SQLite's backup API: this run is on PostgreSQL (the SQLite run has it)"
)
postgres_only = pytest.mark.skipif(
    ON_SQLITE, reason="pg_dump and pg_restore: this run is on SQLite (the PostgreSQL run has it)"
)
OTHER_KIND = {  # the first bytes of a backup of the database this run does not use
    "sqlite": (b"PGDMP\x01\x0e\x00", "a PostgreSQL backup, but this site's database is SQLite"),
    "postgresql": (b"SQLite format 3\x00", "a SQLite backup, but this site's database is Postgre"),
}


def backup(directory: Path) -> Path:
    out = StringIO()
    call_command("backup", dir=directory, stdout=out)
    return Path(out.getvalue().strip())


def usernames() -> set[str]:
    return set(get_user_model().objects.values_list("username", flat=True))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_then_restore_brings_back_the_database_as_it_was(tmp_path):
    learner = make_user(username="kept")
    prompt = make_card().prompts.get()
    grade_now(learner, prompt, 3, START)
    before = progress_of(learner)

    path = backup(tmp_path)
    assert path.parent == tmp_path
    assert re.fullmatch(r"portal-\d{8}T\d{6}Z\.(sqlite3|dump)", path.name)
    assert list(tmp_path.iterdir()) == [path]  # no partial file left beside it

    # Changes after the backup, which the restore must undo.
    grade_now(learner, prompt, 1, START.replace(day=9))
    make_user(username="added")
    call_command("restore", str(path), interactive=False, stdout=StringIO())

    assert usernames() == {"kept"}
    assert progress_of(learner) == before
    # The restored site works on: ids continue past the restored rows (PostgreSQL sequences).
    grade_now(learner, prompt, 4, START.replace(day=12))
    assert Review.objects.filter(user=learner).count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restore_gives_the_content_a_new_version_and_keeps_its_triggers(tmp_path):
    """Pages cached under the backup's token must not come back with it (pagecache)."""
    make_card()
    at_backup = content_version()
    path = backup(tmp_path)
    make_card()
    call_command("restore", str(path), interactive=False, stdout=StringIO())
    restored = content_version()
    assert restored != at_backup
    assert installed_triggers(connection) == expected_triggers(connection.vendor)
    make_card()
    assert content_version() != restored


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_asks_first_and_an_answer_other_than_yes_changes_nothing(tmp_path, monkeypatch):
    path = backup(tmp_path)
    make_user(username="after-the-backup")
    monkeypatch.setattr("builtins.input", lambda question: "no")
    with pytest.raises(CommandError, match="Restore cancelled; nothing was changed"):
        call_command("restore", str(path))
    assert "after-the-backup" in usernames()


@pytest.mark.django_db
def test_restore_refuses_a_backup_of_the_other_database(tmp_path):
    head, message = OTHER_KIND[connection.vendor]
    other = tmp_path / "portal-other"
    other.write_bytes(head + bytes(64))
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(other), interactive=False)


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("# Not a backup\n")
    with pytest.raises(CommandError, match="not a backup made by `manage.py backup`"):
        call_command("restore", str(notes), interactive=False)
    with pytest.raises(CommandError, match="There is no file"):
        call_command("restore", str(tmp_path / "missing.dump"), interactive=False)


@pytest.mark.django_db
def test_a_failed_backup_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "no-such-database"))
    with pytest.raises(CommandError):
        backup(tmp_path / "out")
    assert not list((tmp_path / "out").glob("*"))


@sqlite_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sqlite_backup_neither_waits_for_nor_includes_a_write_in_progress(tmp_path):
    make_user(username="before", first_name="Committed")
    writer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, timeout=0)
    try:
        writer.execute("BEGIN IMMEDIATE")  # holds the write lock, as a grade does
        writer.execute("UPDATE auth_user SET first_name = 'Uncommitted'")
        started = time.monotonic()
        path = database_backup(directory=tmp_path)
        waited = time.monotonic() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert waited < 5  # the busy timeout is 20 s
    with closing(sqlite3.connect(path)) as copy:
        assert copy.execute("SELECT first_name FROM auth_user").fetchall() == [("Committed",)]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file


@sqlite_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_damaged_or_foreign_sqlite_file_is_refused_and_nothing_changes(tmp_path):
    make_user(username="still-here")
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(CommandError, match="damaged.sqlite3 is damaged"):
        call_command("restore", str(damaged), interactive=False)
    foreign = tmp_path / "foreign.sqlite3"
    with closing(sqlite3.connect(foreign)) as database:
        database.execute("CREATE TABLE notes (body TEXT)")
    with pytest.raises(CommandError, match="a SQLite database, but not of this portal"):
        call_command("restore", str(foreign), interactive=False)
    assert usernames() == {"still-here"}


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_damaged_dump_is_refused_and_nothing_changes(tmp_path):
    make_user(username="still-here")
    path = backup(tmp_path)
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(CommandError, match="pg_restore failed"):
        call_command("restore", str(damaged), interactive=False)
    assert usernames() == {"still-here"}


OTHER_PROJECT = """
    CREATE TABLE {schema}django_migrations (id serial, app text, name text, applied text);
    INSERT INTO {schema}django_migrations (app, name, applied) VALUES
        ('contenttypes', '0001_initial', '2026-01-01'), ('auth', '0001_initial', '2026-01-01'),
        ('blog', '0001_initial', '2026-01-01');
    CREATE TABLE {schema}auth_user (id serial PRIMARY KEY, username text);
    CREATE TABLE {schema}blog_post (id serial PRIMARY KEY, title text);
"""
NEWER = (
    "INSERT INTO django_migrations (app, name, applied) "
    "VALUES ('flashcards', '9999_new', '2027-01-01')"
)
REFUSALS = {
    "other": "but not of this portal: it records no migrations of analytics, flashcards, lessons",
    "empty": "not of this portal",
    "newer": "but from newer code: it records migrations this code lacks .flashcards.9999_new.",
}


def refuse_each(paths: dict[str, Path]) -> None:
    for kind, path in paths.items():
        with pytest.raises(CommandError, match=REFUSALS[kind]) as refused:
            call_command("restore", str(path), interactive=False)
        assert str(refused.value).endswith("Nothing was changed."), kind
    assert usernames() == {"still-here"}


@sqlite_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_another_projects_an_empty_or_a_newer_sqlite_database(tmp_path):
    make_user(username="still-here")
    other, empty, blank = tmp_path / "other.sqlite3", tmp_path / "empty", tmp_path / "blank"
    with closing(sqlite3.connect(other)) as database:
        database.executescript(OTHER_PROJECT.format(schema=""))
    empty.write_bytes(b"")
    with closing(sqlite3.connect(blank)) as database:
        database.executescript("CREATE TABLE t (x); DROP TABLE t;")  # a database, no tables
    newer = backup(tmp_path)
    with closing(sqlite3.connect(newer)) as database, database:
        database.execute(NEWER)
    with pytest.raises(CommandError, match="not a backup made by `manage.py backup`"):
        call_command("restore", str(empty), interactive=False)
    refuse_each({"other": other, "empty": blank, "newer": newer})


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_another_projects_an_empty_or_a_newer_dump(tmp_path):
    make_user(username="still-here")
    other, empty = tmp_path / "other.dump", tmp_path / "empty.dump"
    # Another Django project's tables (and an empty schema), each dumped on its own.
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA other_project; CREATE SCHEMA empty_project")
        cursor.execute(OTHER_PROJECT.format(schema="other_project."))
    try:
        for schema, path in (("other_project", other), ("empty_project", empty)):
            _pg(
                "pg_dump",
                connection.settings_dict,
                "--format=custom",
                "--schema",
                schema,
                "--file",
                str(path),
            )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA other_project CASCADE; DROP SCHEMA empty_project")
    with connection.cursor() as cursor:  # the portal, with a migration from newer code
        cursor.execute(NEWER)
    newer = backup(tmp_path)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE name = '9999_new'")
    refuse_each({"other": other, "empty": empty, "newer": newer})


@postgres_only
@pytest.mark.django_db
def test_pg_tools_get_the_password_from_the_environment_not_the_command_line(tmp_path, monkeypatch):
    calls = []
    real_run = subprocess.run

    def recording_run(command, **options):
        calls.append((command, options["env"]))
        return real_run(command, **options)

    monkeypatch.setattr("backups.database.subprocess.run", recording_run)
    backup(tmp_path)
    [(command, env)] = calls
    assert Path(command[0]).name == "pg_dump" and "--no-password" in command  # never prompts
    assert not any(part.startswith(("--password", "-W")) or "password=" in part for part in command)
    assert env["PGPASSWORD"] == connection.settings_dict["PASSWORD"]


# A learner's progress --------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_and_import_progress_round_trip_through_a_file(studied, tmp_path):
    before = progress_of(studied)
    path = tmp_path / "learner.json"
    out = StringIO()
    call_command("export_progress", "learner", output=path, stdout=out)
    assert f"Wrote {path}: {len(before['reviews'])} reviews, 6 card states." in out.getvalue()
    assert json.loads(path.read_text())["username"] == "learner"

    Review.objects.filter(user=studied).delete()
    PromptState.objects.filter(user=studied).delete()
    out = StringIO()
    call_command("import_progress", str(path), interactive=False, stdout=out)
    assert "learner: imported" in out.getvalue()
    assert progress_of(studied) == before

    newcomer = make_user(username="newcomer")
    call_command("import_progress", str(path), user="newcomer", stdout=StringIO())
    assert progress_of(newcomer) == before


@pytest.mark.django_db
def test_import_progress_asks_before_replacing_progress_and_names_what_is_wrong(
    studied, tmp_path, monkeypatch
):
    before = progress_of(studied)
    path = tmp_path / "learner.json"
    call_command("export_progress", "learner", output=path, stdout=StringIO())

    monkeypatch.setattr("builtins.input", lambda question: "no")
    with pytest.raises(CommandError, match="Import cancelled; nothing was changed"):
        call_command("import_progress", str(path))

    data = json.loads(path.read_text())
    data["states"][0]["prompt"]["lesson"] = "gone"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=r"Nothing was imported:\nstates\[0\]: this site has no"):
        call_command("import_progress", str(path), interactive=False)
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("import_progress", str(path), user="ghost", interactive=False)
    path.write_text("not json")
    with pytest.raises(CommandError, match="is not a JSON progress file"):
        call_command("import_progress", str(path), interactive=False)
    assert progress_of(studied) == before


@pytest.mark.django_db
def test_an_exported_progress_file_is_its_owners_only_whatever_the_umask(studied, tmp_path):
    path = tmp_path / "progress.json"
    previous = os.umask(0o022)
    try:
        call_command("export_progress", "learner", output=path, stdout=StringIO())
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["reviews"]


def test_export_progress_writes_to_stdout_and_names_a_missing_user(studied):
    out = StringIO()
    call_command("export_progress", "learner", stdout=out)
    assert json.loads(out.getvalue())["format"] == "study-portal-progress"
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("export_progress", "ghost")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("written", "place"),
    [
        ('"desired_retention": NaN', "settings.desired_retention"),
        ('"desired_retention": 0', "settings.desired_retention"),
        ('"stability": 1e400', "states[0].stability"),
        ('"stability": -Infinity', "states[0].stability"),
        (f'"reps": {10**30}', "states[0].reps"),
        (f'"version": {"9" * 5000}', "states[0].version"),
        (f'"version": {2**63 - 1}', "states[0].version"),
    ],
)
def test_import_progress_names_the_place_of_nan_huge_numbers_and_bad_bounds(
    studied, tmp_path, written, place
):
    before = progress_of(studied)
    path = tmp_path / "learner.json"
    call_command("export_progress", "learner", output=path, stdout=StringIO())
    # Written into the file's text, as JSON does not write these: the first in its section.
    section, name = place.split(".")[0].split("[")[0], written.split('"')[1]
    head, rest = path.read_text().split(f'"{section}": ', 1)
    rest = re.sub(rf'"{name}": [^,}}]+', lambda _: written, rest, count=1)
    path.write_text(f'{head}"{section}": {rest}')
    with pytest.raises(CommandError, match=rf"Nothing was imported:\n{re.escape(place)}: "):
        call_command("import_progress", str(path), interactive=False)
    assert progress_of(studied) == before


@pytest.mark.django_db
def test_import_progress_refuses_json_nested_10000_deep_with_its_line(studied, tmp_path):
    before = progress_of(studied)
    path = tmp_path / "learner.json"
    path.write_text('{"username": "learner",\n"states": ' + "[" * 10_000 + "]" * 10_000 + "}")
    with pytest.raises(CommandError, match=r"Nothing was imported:\nline 2: the JSON nests deeper"):
        call_command("import_progress", str(path), interactive=False)
    assert progress_of(studied) == before


@pytest.mark.django_db
def test_a_learner_imported_at_every_bound_can_study_and_grade(studied, tmp_path, client):
    path = tmp_path / "learner.json"
    call_command("export_progress", "learner", output=path, stdout=StringIO())
    data = json.loads(path.read_text())
    data["settings"].update(desired_retention=RETENTION_RANGE[0], maximum_interval=1)
    for state in data["states"]:
        state.update(
            stability=STABILITY_MIN,
            difficulty=DIFFICULTY_RANGE[1],
            reps=COUNTER_MAX,
            lapses=COUNTER_MAX,
            version=COUNTER_MAX,
            due="2000-01-01T00:00:00+00:00",
        )
    path.write_text(json.dumps(data))
    call_command("import_progress", str(path), interactive=False, stdout=StringIO())

    client.force_login(studied)
    page = client.get("/study/")
    assert page.status_code == 200
    reveal = re.search(r'name="reveal" value="([^"]*)"', page.content.decode())[1]
    revealed = client.get("/study/", {"reveal": html.unescape(reveal)})
    assert revealed.status_code == 200
    token = re.search(r'name="token" value="([^"]*)"', revealed.content.decode())[1]
    graded = client.post("/study/grade/", {"token": html.unescape(token), "rating": 3})
    assert graded.status_code == 303
    assert client.get(graded["Location"]).status_code == 200
    assert PromptState.objects.filter(user=studied, version=COUNTER_MAX + 1).count() == 1
