"""The load script (bench/load.py) at a small size, on the database this run of the suite uses.

8 learners grade for 10 seconds through gunicorn (two instances on PostgreSQL, one on SQLite,
two workers each), one worker is killed halfway, and meanwhile one process imports a note of
5,000 flashcards into the live database and another backs it up and restores the backup into
a copy. The script audits the review log: no 5xx, no acknowledged grade lost or doubled, every
state equal to a rebuild from the log, and both disturbances succeeded. The full size (50
learners, 60 seconds) is `make load`; its figures are in docs/NOTES.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.load


def test_grading_under_load_with_a_worker_killed_an_import_and_a_restore_loses_nothing():
    url = os.environ.get("DATABASE_URL", "")
    database = url if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load",
            "--database",
            database,
            "--learners",
            "8",
            "--seconds",
            "10",
            "--import-cards",
            "5000",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = completed.stdout + completed.stderr
    assert completed.returncode == 0, report
    assert "killed at" in report and "replaced after" in report
    assert "import alongside: done" in report
    assert "backup, then restore into a copy alongside: done" in report
    assert "   OK" in completed.stdout
