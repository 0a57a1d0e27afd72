"""The due-queue query uses the (user, due) index, on SQLite and on PostgreSQL."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from flashcards.selectors import Scope, _due_states

pytestmark = pytest.mark.django_db


def test_the_due_queue_query_is_an_index_range_scan_on_user_and_due():
    # Enough learners that reading one learner's due cards by index is clearly the best plan.
    call_command("generate_dataset", learners=60, cards=40, history=0, stdout=StringIO())
    user = get_user_model().objects.get(username="load000030")
    sql, params = _due_states(user, Scope(), timezone.now()).order_by("due").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING INDEX state_user_due (user_id=? AND due<?)" in plan
        else:
            cursor.execute("ANALYZE flashcards_promptstate")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "state_user_due" in plan
            assert "Seq Scan on flashcards_promptstate" not in plan
