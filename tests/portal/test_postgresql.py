"""The PostgreSQL backend's health check (portal/postgresql/base.py): no round trip for a
connection that is open, idle and quiet; Django's `SELECT 1` whenever it cannot tell. And
its prepared statements (portal/settings.py)."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
    # Outside a test transaction: the check only skips the round trip on an idle connection.
    # Serialized rollback, as tests/backups does: the tables emptied afterwards get back the
    # rows migrations made (content types), which later tests on this worker expect.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEADLINE = 30  # seconds for the server to end a backend it was told to end


@pytest.fixture
def observer():
    """A second connection to the same database, watching ours from pg_stat_activity."""
    other = connection.get_new_connection(connection.get_connection_params())
    other.autocommit = True
    yield other
    other.close()


def last_query(observer, pid: int) -> str | None:
    row = observer.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    return row[0] if row else None


def our_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), 'health-check-marker'")
        return cursor.fetchone()[0]


def test_an_idle_connection_is_found_usable_without_a_query(observer):
    pid = our_pid()
    assert connection.is_usable()
    assert "health-check-marker" in last_query(observer, pid)  # nothing sent since


def test_after_an_error_django_select_1_decides(observer):
    pid = our_pid()
    connection.errors_occurred = True
    try:
        assert connection.is_usable()
    finally:
        connection.errors_occurred = False
    assert last_query(observer, pid) == "SELECT 1"


def test_a_transaction_left_open_is_checked_with_select_1(observer):
    pid = our_pid()
    connection.set_autocommit(False)
    try:
        our_pid()
        assert connection.is_usable()
        assert last_query(observer, pid) == "SELECT 1"
    finally:
        connection.rollback()
        connection.set_autocommit(True)


def test_a_connection_the_server_ended_is_replaced_before_the_next_request_queries(observer):
    # A connection of its own, so that the test's connection (and what the test database's
    # teardown does on it) is never the one ended.
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with side.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        assert observer.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        deadline = time.monotonic() + DEADLINE
        while last_query(observer, pid) is not None:
            assert time.monotonic() < deadline, "the server did not end the backend"
            observer.execute("SELECT pg_sleep(0.05)")
        assert not side.is_usable()
        # What a request does: its start marks the kept connection for a check, its first
        # query checks it. The query is served on a new connection, with no error.
        side.close_if_unusable_or_obsolete()
        with side.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid
    finally:
        side.close()


def test_a_query_run_often_on_a_connection_is_prepared_once_and_reused():
    """Prepared statements (portal/settings.py): the server stops parsing it, and plans it
    once (`plan_cache_mode`), not afresh for each run's values."""
    User = get_user_model()
    for _ in range(connection.settings_dict["OPTIONS"]["prepare_threshold"] + 2):
        list(User.objects.filter(username="nobody-at-all"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%nobody-at-all%"],
        )
        assert cursor.fetchall() == []  # the value went apart from the SQL
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ['%FROM "auth_user" WHERE "auth_user"."username" = $1%'],
        )
        # Prepared once, and planned once: never again for the values of a run.
        ((generic, custom),) = cursor.fetchall()
        assert generic >= 2 and custom == 0
