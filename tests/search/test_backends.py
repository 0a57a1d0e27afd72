"""The backend is chosen by the database in use; others are refused plainly."""

from __future__ import annotations

import pytest
from django.db import connection

from search.backends import BACKENDS, backend_for


def test_each_supported_database_has_a_backend():
    assert set(BACKENDS) == {"sqlite", "postgresql"}
    assert backend_for(connection.vendor) is BACKENDS[connection.vendor]


def test_another_database_is_refused_with_a_clear_message():
    with pytest.raises(NotImplementedError, match="SQLite and PostgreSQL, not mysql"):
        backend_for("mysql")
