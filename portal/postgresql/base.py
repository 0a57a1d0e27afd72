"""Django's PostgreSQL backend, with a health check that needs no round trip when it can.

A kept connection (CONN_MAX_AGE) is checked at each request's first query
(CONN_HEALTH_CHECKS), so that a database restarted since the last request costs no request an
error. Django checks by sending `SELECT 1`: one more round trip on every request, a third of a
signed-in request's round trips (docs/NOTES.md, issue 20). An idle connection the server has
ended has something to read (the server's goodbye and the end of the stream), and one it has
not ended has nothing. So: if the connection is open, idle and has nothing to read, it is
usable, checked with one non-blocking `poll` of its socket and no message to the server; in
every other case (something to read, a transaction left open, an error since the last check)
Django's `SELECT 1` decides as before. What neither check can see at once, a peer gone
silently off the network, a `SELECT 1` would only have found after TCP's own timeout.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper
from psycopg.pq import TransactionStatus


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    def is_usable(self) -> bool:
        if not self.errors_occurred and _idle_with_nothing_to_read(self.connection):
            return True
        return super().is_usable()


def _idle_with_nothing_to_read(connection) -> bool:
    if connection.closed or connection.broken:
        return False
    if connection.info.transaction_status != TransactionStatus.IDLE:
        return False
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
    return not poller.poll(0)
