"""Whole-database backups: what a file is a backup of, and who may read one (the round trips
are in test_commands)."""

from __future__ import annotations

import os
import stat

import pytest

from backups.database import BackupError, backup_kind, database_backup


def test_backup_files_are_told_apart_by_their_first_bytes(tmp_path):
    sqlite, dump, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    sqlite.write_bytes(b"SQLite format 3\x00" + bytes(100))
    dump.write_bytes(b"PGDMP\x01\x0e")
    other.write_text('{"format": "study-portal-progress"}')
    assert (backup_kind(sqlite), backup_kind(dump)) == ("sqlite", "postgresql")
    with pytest.raises(BackupError, match="not a backup made by `manage.py backup`"):
        backup_kind(other)
    with pytest.raises(BackupError, match="Cannot read"):
        backup_kind(tmp_path / "missing")


@pytest.mark.django_db
@pytest.mark.parametrize("umask", [0o022, 0o000], ids=["umask-022", "umask-000"])
def test_a_backup_is_readable_by_its_owner_only_whatever_the_umask(tmp_path, umask):
    """SQLite's backup or pg_dump, whichever this run's database uses."""
    previous = os.umask(umask)
    try:
        path = database_backup(directory=tmp_path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [entry.name for entry in tmp_path.iterdir()] == [path.name]


@pytest.mark.django_db
def test_a_backup_folder_it_creates_is_its_owners_only_and_one_that_exists_is_left_alone(tmp_path):
    previous = os.umask(0o022)
    try:
        database_backup(directory=tmp_path / "new" / "backups")
        existing = tmp_path / "existing"
        existing.mkdir(mode=0o750)
        database_backup(directory=existing)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new" / "backups").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert stat.S_IMODE(existing.stat().st_mode) == 0o750
