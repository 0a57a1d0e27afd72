"""RowReader (portal/rows.py): the ORM's row, without building the query each time."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal.rows import RowReader
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def test_a_row_read_is_the_orms_row_value_for_value_and_type():
    user = make_user(username="reader", email="reader@example.com", last_login=timezone.now())
    reader = RowReader(get_user_model(), "id")
    read = reader.get(user.pk)
    expected = get_user_model().objects.get(pk=user.pk)
    assert fields(read) == fields(expected)
    assert {name: type(value) for name, value in fields(read).items()} == {
        name: type(value) for name, value in fields(expected).items()
    }
    assert read._state.adding is False and read._state.db == "default"
    assert reader.get(str(user.pk)).pk == user.pk  # a session holds the id as text


def test_a_missing_row_is_none_and_a_text_key_is_a_parameter_not_sql():
    Session.objects.create(session_key="k" * 32, session_data="x", expire_date=timezone.now())
    reader = RowReader(Session, "session_key")
    assert reader.get("k" * 32).expire_date == Session.objects.get().expire_date
    assert reader.get("missing") is None
    assert reader.get("' OR '1'='1") is None
