"""The session engine (portal/sessions.py): database sessions, read cheaply."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def signed_in(client: Client) -> bool:
    return ">Log out</button>" in client.get("/").content.decode()


def test_logging_out_ends_the_session_at_once_for_a_copy_of_the_cookie():
    user = make_user(username="leaver")
    client, copy = Client(), Client()
    client.force_login(user)
    copy.cookies = client.cookies.__class__(client.cookies)  # the same cookie, on another host
    assert signed_in(copy)
    client.post("/accounts/logout/")
    assert not Session.objects.exists()
    assert not signed_in(copy)


def test_an_expired_session_signs_nobody_in():
    client = Client()
    client.force_login(make_user(username="late"))
    assert signed_in(client)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert not signed_in(client)


def test_a_deactivated_user_is_signed_out_on_the_next_request():
    user = make_user(username="gone")
    client = Client()
    client.force_login(user)
    user.is_active = False
    user.save()
    assert not signed_in(client)
