"""accounts/migrations: one account per email address (0001); sessions kept across the
switch to UserBackend (0003) and the move to accounts.Session (0004)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accounts.migrations.0001_email_unique_case_insensitive")


def test_the_database_refuses_a_second_account_with_the_same_address_in_another_case():
    make_user(email="ada@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        get_user_model().objects.create(username="other", email="ADA@example.com")


def test_many_accounts_may_have_no_address():
    make_user(email="")
    make_user(email="")
    assert get_user_model().objects.filter(email="").count() == 2


class Editor:
    """What the migration's functions use of a schema editor, on the test's connection (the
    SQLite schema editor refuses to open inside the test's transaction)."""

    quote_name = staticmethod(connection.ops.quote_name)

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_existing_duplicates_keep_the_oldest_accounts_address(capsys):
    editor = Editor()
    migration.drop_index(apps, editor)
    first = make_user(username="first", email="Ada@example.com")
    second = make_user(username="second", email="ada@EXAMPLE.com")
    other = make_user(username="other", email="bob@example.com")
    empty = make_user(username="empty", email="")

    migration.empty_later_duplicates(apps, editor)
    migration.create_index(apps, editor)

    emails = dict(get_user_model().objects.values_list("username", "email"))
    assert emails[first.username] == "Ada@example.com"
    assert emails[second.username] == ""
    assert emails[other.username] == "bob@example.com" and emails[empty.username] == ""
    assert "'second'" in capsys.readouterr().out


sessions_migration = importlib.import_module(
    "accounts.migrations.0003_sessions_name_the_user_backend"
)


def test_upgrading_keeps_everyone_signed_in_under_the_new_user_backend(client):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    user = make_user(username="before-upgrade")
    old = SessionStore()
    old.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: sessions_migration.OLD,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )
    old.create()
    Session.objects.create(
        session_key="d" * 32, session_data="damaged", expire_date=old.get_expiry_date()
    )
    client.cookies["sessionid"] = old.session_key
    assert client.get("/accounts/").status_code == 302  # the old backend is gone: signed out

    class SchemaEditor:
        pass

    SchemaEditor.connection = connection
    sessions_migration.rename_backend(apps, SchemaEditor())
    assert SessionStore(old.session_key).load()[BACKEND_SESSION_KEY] == sessions_migration.NEW
    assert Session.objects.get(session_key="d" * 32).session_data == "damaged"
    moving_migration.to_accounts(apps, SchemaEditor())  # what follows it, 0004
    client.cookies["sessionid"] = old.session_key  # dropped when it named no session here
    assert client.get("/accounts/").status_code == 200


moving_migration = importlib.import_module("accounts.migrations.0004_session")


def test_moving_sessions_keeps_everyone_signed_in_and_sets_each_ones_user(client):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore as OldStore
    from django.contrib.sessions.models import Session as OldSession
    from django.utils import timezone

    from accounts.models import Session

    class SchemaEditor:
        pass

    SchemaEditor.connection = connection
    learner = make_user(username="moving")

    def old_session(data, *, expired=False):
        store = OldStore()
        store.update(data)
        store.create()
        if expired:
            OldSession.objects.filter(session_key=store.session_key).update(
                expire_date=timezone.now() - dt.timedelta(seconds=1)
            )
        return store.session_key

    signed_in = old_session(
        {
            SESSION_KEY: str(learner.pk),
            BACKEND_SESSION_KEY: sessions_migration.NEW,
            HASH_SESSION_KEY: learner.get_session_auth_hash(),
        }
    )
    visitor = old_session({"tree_walks": {"which-restore-path": 1}})
    expired = old_session({SESSION_KEY: str(learner.pk)}, expired=True)
    # More than a batch, so that the copy goes on past the first one.
    for number in range(moving_migration.BATCH + 1):
        OldSession.objects.create(
            session_key=f"damaged{number:06d}",
            session_data="damaged",
            expire_date=timezone.now() + dt.timedelta(days=1),
        )

    moving_migration.to_accounts(apps, SchemaEditor())

    assert not OldSession.objects.exists()  # no copy outlives logging out
    moved = dict(Session.objects.values_list("session_key", "user_id"))
    assert len(moved) == moving_migration.BATCH + 3 and expired not in moved
    assert (moved[signed_in], moved[visitor], moved["damaged000000"]) == (learner.pk, None, None)
    client.cookies["sessionid"] = signed_in
    assert client.get("/accounts/").status_code == 200
    assert Session.objects.get(session_key=visitor).get_decoded() == {
        "tree_walks": {"which-restore-path": 1}
    }

    moving_migration.to_sessions(apps, SchemaEditor())
    assert not Session.objects.exists()
    assert OldSession.objects.count() == moving_migration.BATCH + 3
    assert OldStore(signed_in).load()[SESSION_KEY] == str(learner.pk)
