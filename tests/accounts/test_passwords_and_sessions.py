"""Passwords of at least 12 characters; a new session on log-in; log-out ends the session."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from portal.sessions import SessionStore
from tests.conftest import PASSWORD, make_tree

pytestmark = pytest.mark.django_db

ELEVEN = "blue-otter7"  # 11 characters, neither common nor numeric
TWELVE = "blue-otter77"
TOO_SHORT = "This password is too short. It must contain at least 12 characters."


def session_cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def client_with_session(key: str) -> Client:
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = key
    return other


def test_signup_refuses_eleven_characters_and_says_so(client):
    assert len(ELEVEN) == 11
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newcomer",
            "email": "newcomer@example.com",
            "password1": ELEVEN,
            "password2": ELEVEN,
        },
    )
    assert response.status_code == 200
    assert TOO_SHORT in response.content.decode()
    assert not get_user_model().objects.filter(username="newcomer").exists()


def test_signup_accepts_twelve_characters(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newcomer",
            "email": "newcomer@example.com",
            "password1": TWELVE,
            "password2": TWELVE,
        },
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(username="newcomer").check_password(TWELVE)


def test_the_signup_page_states_the_rule(client):
    assert "at least 12 characters" in client.get("/accounts/signup/").content.decode()


def test_password_change_refuses_eleven_characters(learner_client, learner):
    response = learner_client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": ELEVEN, "new_password2": ELEVEN},
    )
    assert response.status_code == 200
    assert TOO_SHORT in response.content.decode()
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


def test_logging_in_starts_a_new_session(client, learner):
    # An anonymous visitor's session (stepping through a tree stores the walk in it) ...
    tree = make_tree()
    client.get(f"/trees/{tree.slug}/?tree-{tree.slug}=1", HTTP_HX_REQUEST="true")
    before = session_cookie(client)
    assert SessionStore().exists(before)

    response = client.post("/accounts/login/", {"username": "learner", "password": PASSWORD})
    assert response.status_code == 302
    after = session_cookie(client)
    # ... is replaced on log-in: a session key planted before log-in is worth nothing after.
    assert after != before
    assert not SessionStore().exists(before)
    planted = client_with_session(before)
    assert planted.get("/progress/").status_code == 302
    assert client.get("/progress/").status_code == 200


def test_logging_out_ends_the_session_on_the_server(learner_client):
    learner_client.get("/progress/")
    key = session_cookie(learner_client)
    assert SessionStore().exists(key)

    response = learner_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not SessionStore().exists(key)
    stolen = client_with_session(key)
    response = stolen.get("/progress/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_logging_out_takes_a_post(learner_client):
    assert learner_client.get("/accounts/logout/").status_code == 405
    assert learner_client.get("/progress/").status_code == 200


def test_a_password_change_ends_the_users_other_sessions(learner, learner_client):
    elsewhere = Client()
    elsewhere.force_login(learner)
    assert elsewhere.get("/progress/").status_code == 200
    new = "a different long passphrase"
    response = learner_client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert learner_client.get("/progress/").status_code == 200  # this session carries on
    assert elsewhere.get("/progress/").status_code == 302
