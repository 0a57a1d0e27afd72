"""Writes whose commit need not wait for the disk: records a crash may lose without harm.

On PostgreSQL every commit waits, by default (`synchronous_commit`), until its write-ahead
log is on disk. Under load that wait is most of a small write's time, and its tail: a tree
step's walk update had the worst p99 of the benchmark (bench/history.md, issue 20). A learner's
walk is a figure for the instructors; losing its last fraction of a second of steps in a crash
of the database server costs nobody anything. So such writes commit with `synchronous_commit`
off for their own transaction: PostgreSQL still keeps the database consistent (a crash can
lose the latest such commits, never corrupt or half-apply them), and every other write keeps
waiting for the disk. Grades, reviews and accounts never go through here.

SQLite is left as it is: in WAL mode with `synchronous=NORMAL` its commits do not wait for the
disk anyway, and a transaction around the writes would only add its own two statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction


@contextmanager
def losable(using: str = "default") -> Iterator[None]:
    """Writes a crash may lose: on PostgreSQL, in a transaction committed without waiting for
    the disk; elsewhere, left to commit as they would (SQLite's do not wait). Inside an outer
    transaction nothing changes: it commits as it would have (the setting would otherwise
    apply to all of it)."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
