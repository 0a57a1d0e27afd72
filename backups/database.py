"""Backups of the whole database, and restoring one.

`database_backup` writes a consistent copy while the site runs (SQLite's online backup API, or
pg_dump), `database_restore` puts one back in a single transaction, so a failed restore
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from django.db import connections
from django.utils import timezone

from backups.files import create_private, ensure_private_directory
from backups.identity import portal_database_problem
from pagecache.triggers import content_version_renew_after_restore

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"  # pg_dump's custom format
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is for the operator."""


def database_backup(
    *, directory: Path, using: str = "default", now: dt.datetime | None = None
) -> Path:
    """Copy the database to `directory`/portal-<UTC time>.sqlite3 (or .dump); return the path.

    The copy is written under a temporary name and renamed when complete, so a failed backup
    leaves no file that looks like a backup.
    """
    connection = connections[using]
    kind = _kind_of(connection)
    stamp = (now or timezone.now()).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    ensure_private_directory(directory)
    target = directory / f"portal-{stamp}{SUFFIXES[kind]}"
    number = 1
    while target.exists():  # two backups within a second
        number += 1
        target = directory / f"portal-{stamp}-{number}{SUFFIXES[kind]}"
    partial = target.with_name(target.name + ".partial")
    try:
        create_private(partial)
        if kind == "sqlite":
            _sqlite_backup(Path(connection.settings_dict["NAME"]), partial)
        else:
            _pg("pg_dump", connection.settings_dict, "--format=custom", "--file", str(partial))
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def backup_kind(path: Path) -> str:
    """Which database the backup at `path` is of ("sqlite" or "postgresql"), by its first bytes."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a backup made by `manage.py backup`.")


def database_description(using: str = "default") -> str:
    """Which database a restore would replace, for the confirmation question."""
    connection = connections[using]
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"the SQLite database {settings_dict['NAME']}"
    where = settings_dict.get("HOST") or "localhost"
    return f"the PostgreSQL database {settings_dict['NAME']!r} on {where}"


def database_restore(*, path: Path, using: str = "default") -> None:
    """Replace the whole database with the backup at `path`, in one transaction.

    Refuses a backup of the other kind of database, a damaged file, and a database that is not
    this portal's or is from newer code (see `backups.identity`), before changing anything.
    """
    connection = connections[using]
    kind, wanted = backup_kind(path), _kind_of(connection)
    if kind != wanted:
        raise BackupError(
            f"{path.name} is a {KIND_NAMES[kind]} backup, but this site's database is "
            f"{KIND_NAMES[wanted]}."
        )
    # Our own connection must not hold the tables the restore replaces.
    connection.close()
    if kind == "sqlite":
        _sqlite_restore(path, Path(connection.settings_dict["NAME"]))
    else:
        _pg_restore(path, connection.settings_dict)
    content_version_renew_after_restore(using=using)


def _pg_restore(path: Path, settings_dict: dict) -> None:
    _check_dump(path, settings_dict)
    # --clean drops each object in the dump before recreating it; in one transaction, so an
    # error anywhere leaves the database as it was.
    _pg(
        "pg_restore",
        settings_dict,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        str(path),
    )


def _kind_of(connection) -> str:
    if connection.vendor not in SUFFIXES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return connection.vendor


def _sqlite_backup(database: Path, target: Path) -> None:
    if not database.exists():  # sqlite3.connect would create an empty one
        raise BackupError(f"There is no database at {database}.")
    # One step copies a consistent snapshot; in WAL mode the site's writers carry on meanwhile.
    # https://www.sqlite.org/backup.html
    with (
        closing(sqlite3.connect(database, timeout=20)) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        _check_sqlite(copy, target)


def _sqlite_restore(path: Path, database: Path) -> None:
    with closing(sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)) as backup:
        _check_sqlite(backup, path)
        tables = {row[0] for row in backup.execute("SELECT name FROM sqlite_master")}
        recorded = set(backup.execute("SELECT app, name FROM django_migrations"))
        _check_portal(path, "SQLite database", tables, recorded)
        # The backup API writes the copy into the live file as one transaction, waiting for the
        # site's writers; their connections see the restored database from their next query.
        with closing(sqlite3.connect(database, timeout=20)) as live:
            backup.backup(live)


def _check_sqlite(connection: sqlite3.Connection, path: Path) -> None:
    try:
        verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path.name} is damaged: {error}.") from None
    if verdict != "ok":
        raise BackupError(f"{path.name} is damaged: {verdict}.")
    if "django_migrations" not in tables:
        raise BackupError(f"{path.name} is a SQLite database, but not of this portal.")


def _check_dump(path: Path, settings_dict: dict) -> None:
    """Refuse a dump that is not of this portal, reading it only (pg_restore with no database
    writes to stdout): its table of contents, then its django_migrations rows."""
    listing = _pg("pg_restore", settings_dict, "--list", str(path), database=False)
    # A table's entry: "215; 1259 16390 TABLE public auth_user portal".
    tables = set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, re.MULTILINE))
    recorded: set[tuple[str, str]] = set()
    if "django_migrations" in tables:
        script = _pg(
            "pg_restore",
            settings_dict,
            "--data-only",
            "--table=django_migrations",
            "--file=-",
            str(path),
            database=False,
        )
        # COPY ... (id, app, name, applied) FROM stdin; then one tab-separated line per row.
        rows = re.search(
            r"^COPY \S+ \(id, app, name, applied\) FROM stdin;\n(.*?)^\\\.$",
            script,
            re.MULTILINE | re.DOTALL,
        )
        if rows:
            recorded = {tuple(line.split("\t")[1:3]) for line in rows[1].splitlines()}
    _check_portal(path, "PostgreSQL dump", tables, recorded)


def _check_portal(path: Path, what: str, tables: set[str], recorded: set[tuple[str, str]]) -> None:
    if problem := portal_database_problem(tables=tables, recorded=recorded):
        raise BackupError(f"{path.name} is a {what}, but {problem}.")


def _pg(program: str, settings_dict: dict, *arguments: str, database: bool = True) -> str:
    """Run pg_dump or pg_restore on the configured database; its output, or BackupError."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} is not installed (Debian: apt-get install postgresql-client)")
    # Never prompt, and never put the password on a command line, where `ps` shows it.
    command = [executable, "--no-password"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            command += [option, str(settings_dict[key])]
    if database:
        command += ["--dbname", settings_dict["NAME"]]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    if sslmode := settings_dict.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    completed = subprocess.run([*command, *arguments], env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BackupError(f"{program} failed: {completed.stderr.strip() or completed.returncode}")
    return completed.stdout
