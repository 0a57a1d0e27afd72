"""Whole-database backups: what a file is a backup of (the round trips are in test_commands)."""

from __future__ import annotations

import pytest

from backups.database import BackupError, backup_kind


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
