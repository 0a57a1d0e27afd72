"""Log-in lockout (django-axes): five failures per username and address lock that pair out
for an hour, with a page that says until when."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessLog
from django.http import HttpRequest
from django.test import Client

from accounts.lockout import client_ip_address
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

WRONG = "not the password at all"


def attempt(client: Client, username: str, password: str, *, address="127.0.0.1", path=None):
    return client.post(
        path or "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def fail(client: Client, username: str, times: int, **kwargs) -> list[int]:
    return [attempt(client, username, WRONG, **kwargs).status_code for _ in range(times)]


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_fifth_failure_locks_out_and_then_even_the_right_password_is_refused(client, learner):
    assert fail(client, "learner", 4) == [200, 200, 200, 200]
    fifth = attempt(client, "learner", WRONG)
    assert fifth.status_code == 429

    sixth = attempt(client, "learner", PASSWORD)
    page = sixth.content.decode()
    assert sixth.status_code == 429
    assert not is_logged_in(client)
    assert "Too many failed log-ins" in page and "<html" in page
    assert "Try again after" in page and "paused for an hour" in page
    assert "<strong>learner</strong>" in page


def test_the_page_says_when_the_lockout_ends(client, learner):
    fail(client, "learner", 5)
    stored = AccessAttempt.objects.get(username="learner")
    until = stored.attempt_time + dt.timedelta(hours=1)
    page = attempt(client, "learner", PASSWORD).content.decode()
    assert f'datetime="{until.isoformat()}"' in page
    assert until.strftime("%H:%M UTC") in page
    assert "(in 59\xa0minutes)" in page or "(in 1\xa0hour)" in page


def test_four_failures_are_only_a_wrong_password(client, learner):
    response = attempt(client, "learner", WRONG)
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()
    fail(client, "learner", 3)
    assert attempt(client, "learner", PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_another_username_from_the_same_address_is_not_locked(client, learner):
    make_user(username="neighbour")
    fail(client, "learner", 5)
    assert attempt(client, "neighbour", PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_the_same_username_from_another_address_is_not_locked(client, learner):
    fail(client, "learner", 5, address="203.0.113.7")
    assert attempt(client, "learner", PASSWORD, address="198.51.100.20").status_code == 302
    assert is_logged_in(client)


def test_the_lockout_ends_an_hour_after_the_failure_that_caused_it(client, learner):
    fail(client, "learner", 5)
    # Attempts while locked out do not move the hour on.
    assert fail(client, "learner", 3) == [429, 429, 429]
    stored = AccessAttempt.objects.get(username="learner")
    assert stored.failures_since_start == 5

    # Axes counts the failures newer than an hour: age them rather than wait.
    AccessAttempt.objects.update(attempt_time=stored.attempt_time - dt.timedelta(minutes=59))
    assert attempt(client, "learner", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=stored.attempt_time - dt.timedelta(minutes=61))
    assert attempt(client, "learner", PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_a_successful_log_in_clears_the_count(client, learner):
    fail(client, "learner", 4)
    assert attempt(client, "learner", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
    client.post("/accounts/logout/")
    assert fail(client, "learner", 4) == [200, 200, 200, 200]


def test_the_admin_log_in_is_locked_out_too(client, superuser):
    assert fail(client, "admin", 4, path="/admin/login/") == [200, 200, 200, 200]
    assert attempt(client, "admin", WRONG, path="/admin/login/").status_code == 429
    refused = attempt(client, "admin", PASSWORD, path="/admin/login/")
    assert refused.status_code == 429 and "Try again after" in refused.content.decode()
    assert not is_logged_in(client)


def test_superusers_see_attempts_and_log_ins_in_the_admin(client, superuser, instructor):
    fail(client, "someone", 2)
    assert attempt(client, "admin", PASSWORD).status_code == 302
    assert AccessLog.objects.filter(username="admin").exists()
    changelist = client.get("/admin/axes/accessattempt/")
    assert changelist.status_code == 200 and "someone" in changelist.content.decode()
    assert client.get("/admin/axes/accesslog/").status_code == 200

    staff = Client()
    staff.force_login(instructor)
    assert staff.get("/admin/axes/accessattempt/").status_code == 403


def test_the_test_clients_login_works_when_given_a_request(client, learner):
    # The axes backend needs the request to know the address; Client.login passes credentials
    # straight to authenticate(), so tests give it one (force_login needs nothing).
    assert client.login(request=HttpRequest(), username="learner", password=PASSWORD)
    assert client.get("/progress/").status_code == 200


def request_from(remote: str, forwarded: str | None = None) -> HttpRequest:
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = remote
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_the_client_address_is_remote_addr_unless_proxies_are_declared(settings):
    settings.PROXY_COUNT = 0
    assert client_ip_address(request_from("10.0.0.1", "198.51.100.9")) == "10.0.0.1"


def test_behind_proxies_the_address_is_counted_from_the_right(settings):
    settings.PROXY_COUNT = 1
    # A client may send its own X-Forwarded-For; only what our proxy appended is believed.
    spoofed = request_from("127.0.0.1", "6.6.6.6, 198.51.100.9")
    assert client_ip_address(spoofed) == "198.51.100.9"
    assert client_ip_address(request_from("127.0.0.1", "198.51.100.9")) == "198.51.100.9"
    settings.PROXY_COUNT = 2
    assert client_ip_address(request_from("10.0.0.2", "6.6.6.6, 198.51.100.9, 10.0.0.1")) == (
        "198.51.100.9"
    )
    assert client_ip_address(request_from("10.0.0.2")) == "10.0.0.2"
