"""The session engine (portal/sessions.py): database sessions, read with their user."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.base import UpdateError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Session
from portal.sessions import SessionStore, user_read_with_session
from tests.conftest import PASSWORD, make_user

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


def test_a_signed_in_request_reads_its_session_and_user_in_one_query():
    user = make_user(username="joined")
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert signed_in(client)
    sessions = [query["sql"] for query in queries if "accounts_session" in query["sql"]]
    assert len(sessions) == 1 and 'JOIN "auth_user"' in sessions[0]
    # and the user is not read again on its own
    assert not [
        query["sql"]
        for query in queries
        if query["sql"].startswith('SELECT "auth_user"."id", "auth_user"."password"')
    ]


def test_the_session_row_names_the_user_it_is_signed_in_as():
    first, second = make_user(username="first"), make_user(username="second")
    client = Client()
    client.get("/accounts/login/")  # a visitor's session, if the page makes one
    client.post("/accounts/login/", {"username": "first", "password": PASSWORD})
    assert list(Session.objects.values_list("user_id", flat=True)) == [first.pk]
    client.post("/accounts/logout/")
    assert not Session.objects.filter(user_id=first.pk).exists()
    client.post("/accounts/login/", {"username": "second", "password": PASSWORD})
    assert list(Session.objects.values_list("user_id", flat=True)) == [second.pk]


def test_a_visitors_session_names_no_user():
    store = SessionStore()
    store["tree_walks"] = {}
    store.create()
    assert Session.objects.get(session_key=store.session_key).user_id is None


def test_a_session_whose_user_is_gone_signs_nobody_in():
    user = make_user(username="deleted")
    client = Client()
    client.force_login(user)
    key = client.cookies["sessionid"].value
    get_user_model().objects.filter(pk=user.pk).delete()
    assert not Session.objects.filter(session_key=key).exists()  # deleted with the user
    # and one left behind by a delete the ORM did not see (no constraint in the database)
    other = make_user(username="raw")
    client.force_login(other)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM auth_user WHERE id = %s", [other.pk])
    assert Session.objects.filter(user_id=other.pk).exists()
    assert not signed_in(client)


def test_a_password_changed_elsewhere_signs_out_a_session_read_with_its_user():
    user = make_user(username="changer")
    client = Client()
    client.force_login(user)
    user.set_password("another long password 1")
    user.save()
    assert not signed_in(client)


def test_the_user_read_with_a_session_is_handed_over_once_and_only_for_its_id():
    user = make_user(username="once")
    client = Client()
    client.force_login(user)
    store = SessionStore(client.cookies["sessionid"].value)
    store.load()
    assert user_read_with_session(user.pk + 1) is None
    assert user_read_with_session(user.pk) == user
    assert user_read_with_session(user.pk) is None  # read afresh from here on
    SessionStore("no-such-session-key-at-all-here-00").load()
    assert user_read_with_session(user.pk) is None  # a later read leaves nothing behind


def test_a_new_session_is_inserted_without_first_asking_whether_its_key_is_taken():
    store = SessionStore()
    store["note"] = "kept"
    with CaptureQueriesContext(connection) as queries:
        store.save()
    assert not [query["sql"] for query in queries if query["sql"].startswith("SELECT")]
    assert SessionStore(store.session_key)["note"] == "kept"


# Inside a transaction (Django's save, with its savepoint) and outside one (the statement alone).
OUTSIDE_A_TRANSACTION = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("where", ["inside", pytest.param("outside", marks=OUTSIDE_A_TRANSACTION)])
def test_a_new_key_that_is_taken_is_drawn_again_and_the_session_holding_it_is_kept(
    monkeypatch, where
):
    assert connection.in_atomic_block == (where == "inside")
    taken = SessionStore()
    taken["owner"] = "first"
    taken.save()
    draws = iter([taken.session_key, "n" * 32])
    monkeypatch.setattr("portal.sessions.get_random_string", lambda *_: next(draws))
    store = SessionStore()
    store["owner"] = "second"
    store.save()
    assert store.session_key == "n" * 32
    assert SessionStore(taken.session_key)["owner"] == "first"
    assert SessionStore("n" * 32)["owner"] == "second"


@OUTSIDE_A_TRANSACTION
def test_a_session_saved_outside_a_transaction_is_written_by_one_statement_alone():
    user = make_user(username="one-statement")
    store = SessionStore()
    with CaptureQueriesContext(connection) as queries:
        store["note"] = "new"
        store.save()
        store["note"] = "changed"
        store[SESSION_KEY] = str(user.pk)  # signed in: the row's user column follows
        store.save()
    assert [query["sql"].split()[0] for query in queries] == ["INSERT", "UPDATE"]
    assert SessionStore(store.session_key)["note"] == "changed"
    assert Session.objects.get(session_key=store.session_key).user_id == user.pk


@OUTSIDE_A_TRANSACTION
def test_outside_a_transaction_saving_a_session_ended_elsewhere_is_refused():
    store = SessionStore()
    store["note"] = "kept"
    store.save()
    Session.objects.filter(session_key=store.session_key).delete()  # logged out in another tab
    store["note"] = "changed"
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.exists()
