"""Writes a crash may lose (portal/commits.py): on PostgreSQL, committed without waiting for
the disk, and only those."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Session
from portal.commits import losable

# Outside a test transaction, as in a request: the setting is per transaction. Serialized,
# as the rows migrations add are wanted by the tests after these.
pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's setting"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def test_only_the_losable_transaction_skips_waiting_for_the_disk():
    assert synchronous_commit() == "on"
    with losable():
        assert synchronous_commit() == "off"
    assert synchronous_commit() == "on"
    # Within a transaction that must last, the transaction's commit decides: it waits.
    with transaction.atomic():
        with losable():
            assert synchronous_commit() == "on"
        assert synchronous_commit() == "on"


def test_a_losable_write_that_fails_is_rolled_back_and_the_setting_with_it():
    with pytest.raises(IntegrityError), losable():
        Session.objects.create(session_key="k" * 32, session_data="x", expire_date=timezone.now())
        Session.objects.create(session_key="k" * 32, session_data="y", expire_date=timezone.now())
    assert not Session.objects.exists()
    assert synchronous_commit() == "on"
