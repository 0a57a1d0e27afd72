"""`manage.py make_instructor`: grants and revokes the instructor role by username."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_make_instructor_grants_and_revokes(client):
    user = make_user(username="teacher")
    out = StringIO()
    call_command("make_instructor", "teacher", stdout=out)
    user.refresh_from_db()
    assert user.is_staff and user.groups.filter(name="Instructors").exists()
    assert user.has_perm("lessons.change_lesson")
    assert "now an instructor" in out.getvalue()

    call_command("make_instructor", "teacher", "--remove", stdout=StringIO())
    user.refresh_from_db()
    assert not user.is_staff and not user.groups.exists()


def test_make_instructor_names_a_missing_user():
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("make_instructor", "ghost")
