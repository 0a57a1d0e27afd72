"""bench/run.py's checkpoint before the second p99 pass, on each database."""

from __future__ import annotations

import os
import sqlite3

import pytest

from bench.harness import with_database
from bench.run import checkpoint


def test_a_sqlite_checkpoint_empties_the_write_ahead_log(tmp_path):
    path = tmp_path / "bench.sqlite3"
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # leave the pages in the log for the test
    writer.execute("CREATE TABLE t (x)")
    writer.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(1000)])
    writer.commit()
    wal = tmp_path / "bench.sqlite3-wal"
    assert wal.stat().st_size > 0
    assert checkpoint(f"sqlite:///{path}") is None
    assert wal.stat().st_size == 0
    writer.close()


URL = os.environ.get("TEST_DATABASE_URL", "")
# A checkpoint is server-wide: the maintenance database serves, whatever the URL names.
POSTGRES = with_database(URL, "postgres") if URL.startswith("postgres") else ""


@pytest.mark.skipif(not POSTGRES, reason="needs TEST_DATABASE_URL")
def test_a_postgres_checkpoint_runs_or_says_which_grant_it_needs():
    import psycopg

    with psycopg.connect(POSTGRES) as connection:
        role, allowed = connection.execute(
            "SELECT current_user, rolsuper OR pg_has_role(current_user, 'pg_checkpoint', 'USAGE')"
            " FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    expected = None if allowed else f"not measured: needs GRANT pg_checkpoint TO {role}"
    assert checkpoint(POSTGRES) == expected
