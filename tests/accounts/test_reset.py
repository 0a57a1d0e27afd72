"""Password reset by email: the flow through Django's views with the messages read from
mail.outbox, what the request page gives away (nothing), the rate limits, sessions ended, and
the pages when reset is off."""

from __future__ import annotations

import datetime as dt
import re
import time
from statistics import median
from unittest import mock

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.template import loader
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import ResetRequest
from accounts.reset import reset_request_admit
from tests.accounts.test_lockout import fail
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"
NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"http://testserver(/accounts/password/reset/[\w-]+/[\w-]+/)")


@pytest.fixture
def ada(db):
    return make_user(username="ada", email="ada@example.com")


def ask(client: Client, email: str, *, address: str = "127.0.0.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def link_in(message) -> str:
    return LINK.search(message.body)[1]


def set_password(client: Client, link: str, password: str = NEW_PASSWORD):
    """Follow the emailed link (Django moves the token into the session and redirects to
    .../set-password/), then post the new password there."""
    landing = client.get(link)
    assert landing.status_code == 302
    form_url = landing["Location"]
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def can_log_in(username: str, password: str) -> bool:
    """Through the log-in form, as a person would (axes needs the request)."""
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


# The flow ----------------------------------------------------------------------------------


def test_a_reset_email_sets_a_new_password(client, ada):
    response = ask(client, "ADA@example.com")  # the address in any case
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert message.subject == "Reset your password on testserver"

    done = set_password(client, link_in(message))
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    assert can_log_in("ada", NEW_PASSWORD)
    assert not can_log_in("ada", PASSWORD)
    page = client.get(done["Location"]).content.decode()
    assert "Your new password is set" in page


def test_the_message_has_a_readable_plain_text_and_html_part(client):
    make_user(username="a&b <x>", email="amp@example.com")
    ask(client, "amp@example.com")
    message = mail.outbox[0]
    link = link_in(message)
    # Plain text: the username as typed (not HTML-escaped), the link, how long it works.
    assert "Hello a&b <x>," in message.body
    assert "works once, for an hour" in message.body
    assert "<" not in message.body.replace("a&b <x>", "")  # no markup in the text part
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'<a href="http://testserver{link}">Choose a new password</a>' in html
    assert "Hello a&amp;b &lt;x&gt;," in html  # escaped in HTML
    assert "works once, for an hour" in html


def test_the_link_works_once(client, ada):
    ask(client, "ada@example.com")
    link = link_in(mail.outbox[0])
    set_password(client, link)
    again = Client().get(link)
    assert again.status_code == 200
    assert "This link no longer works" in again.content.decode()
    assert not again.context["validlink"]


def test_logging_in_spends_the_link_too(client, ada):
    ask(client, "ada@example.com")
    link = link_in(mail.outbox[0])
    assert can_log_in("ada", PASSWORD)  # remembered after all: the token hashes last_login
    assert "This link no longer works" in client.get(link).content.decode()


def test_the_link_expires_after_an_hour(client, ada, settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    ask(client, "ada@example.com")
    link = link_in(mail.outbox[0])
    sent = dt.datetime.now()  # the token generator reads the naive local clock
    clock = mock.patch.object(PasswordResetTokenGenerator, "_now")
    with clock as now:
        now.return_value = sent + dt.timedelta(minutes=59)
        assert Client().get(link).status_code == 302  # still valid
        now.return_value = sent + dt.timedelta(minutes=61)
        page = Client().get(link)
    assert "This link no longer works" in page.content.decode()


def test_a_token_does_not_open_another_account(client, ada):
    other = make_user(username="grace", email="grace@example.com")
    ask(client, "ada@example.com")
    link = link_in(mail.outbox[0])
    token = link.split("/")[-2]
    graces_uid = urlsafe_base64_encode(force_bytes(other.pk))
    page = client.get(f"/accounts/password/reset/{graces_uid}/{token}/")
    assert "This link no longer works" in page.content.decode()
    other.refresh_from_db()
    assert other.check_password(PASSWORD)


def test_resetting_ends_every_other_session(client, ada):
    phone, laptop = Client(), Client()
    phone.force_login(ada)
    laptop.force_login(ada)
    assert phone.get("/study/").status_code == 200
    ask(client, "ada@example.com")
    set_password(client, link_in(mail.outbox[0]))
    # Both sessions' auth hash was the old password's: each is logged out on its next request.
    for device in (phone, laptop):
        response = device.get("/study/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # And the reset itself logged nobody in.
    assert "_auth_user_id" not in client.session


def test_a_new_password_lifts_the_log_in_lockout(client, ada):
    assert fail(Client(), "ada", 5)[-1] == 429
    ask(client, "ada@example.com")
    set_password(client, link_in(mail.outbox[0]))
    assert can_log_in("ada", NEW_PASSWORD)


def test_the_new_password_must_pass_the_validators(client, ada):
    ask(client, "ada@example.com")
    landing = client.get(link_in(mail.outbox[0]))
    response = client.post(
        landing["Location"], {"new_password1": "short", "new_password2": "short"}
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD)


# Nothing given away -------------------------------------------------------------------------


def neutral(response) -> tuple:
    """What a visitor can tell from the answer to a request: status, where it leads, and the
    page it leads to."""
    return response.status_code, response["Location"]


def without_per_request_values(response) -> str:
    """The page, less the CSP nonce and CSRF token that differ on every request anyway."""
    page = response.content.decode()
    page = re.sub(r'nonce="[^"]*"', "", page)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", page)


def test_known_and_unknown_addresses_get_the_same_answer(ada):
    known, unknown = Client(), Client()
    answers = [ask(known, "ada@example.com"), ask(unknown, "nobody@example.com")]
    assert neutral(answers[0]) == neutral(answers[1])
    pages = [
        client.get(answer["Location"])
        for client, answer in zip((known, unknown), answers, strict=True)
    ]
    assert [page.templates[0].name for page in pages] == [
        "registration/password_reset_done.html"
    ] * 2
    assert without_per_request_values(pages[0]) == without_per_request_values(pages[1])
    assert "If an account uses that address" in pages[0].content.decode()
    assert len(mail.outbox) == 1  # and only the account's address got mail


def test_an_unknown_address_builds_the_same_message_and_sends_nothing(ada):
    rendered = []
    real = loader.render_to_string

    def spy(name, *args, **kwargs):
        rendered.append(name)
        return real(name, *args, **kwargs)

    with (
        mock.patch("django.contrib.auth.forms.loader.render_to_string", spy),
        mock.patch("accounts.forms.render_to_string", spy),
    ):
        ask(Client(), "ada@example.com")
        known = list(rendered)
        rendered.clear()
        ask(Client(), "nobody@example.com")
    assert (
        rendered
        == known
        == [
            "registration/password_reset_subject.txt",
            "registration/password_reset_email.txt",
            "registration/password_reset_email.html",
        ]
    )
    assert len(mail.outbox) == 1


def test_known_and_unknown_addresses_take_about_as_long(ada, settings):
    """The timing class: with the locmem backend the two differ by the send alone."""
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = settings.PASSWORD_RESET_LIMIT_PER_IP = 1000

    def timed(email: str) -> float:
        start = time.perf_counter()
        ask(Client(), email)
        return time.perf_counter() - start

    for email in ("ada@example.com", "nobody@example.com"):
        timed(email)  # warm up
    known = median(timed("ada@example.com") for _ in range(15))
    unknown = median(timed("nobody@example.com") for _ in range(15))
    assert 0.5 < known / unknown < 2, (known, unknown)


def test_an_invalid_address_shows_the_form_again(client):
    response = client.post(RESET, {"email": "not an address"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not ResetRequest.objects.exists()


# Rate limits ---------------------------------------------------------------------------------


def test_three_requests_an_hour_per_address(ada):
    answers = [ask(Client(), "ada@example.com", address=f"10.0.0.{n}") for n in range(5)]
    # The limited ones look the same as the others; they just send nothing.
    assert {neutral(answer) for answer in answers} == {(302, "/accounts/password/reset/sent/")}
    assert len(mail.outbox) == 3


def test_ten_requests_an_hour_per_client_address(ada):
    for n in range(10):
        ask(Client(), f"someone{n}@example.com", address="10.0.0.9")
    answer = ask(Client(), "ada@example.com", address="10.0.0.9")
    assert neutral(answer) == (302, "/accounts/password/reset/sent/")
    assert mail.outbox == []
    ask(Client(), "ada@example.com", address="10.0.0.10")  # another address is not held up
    assert len(mail.outbox) == 1


def test_the_limit_lifts_an_hour_after_the_requests_that_reached_it():
    start = timezone.now()
    admitted = [
        reset_request_admit(
            email="a@example.com", ip="10.1.1.1", now=start + dt.timedelta(minutes=m)
        )
        for m in (0, 10, 20, 30, 59)
    ]
    assert admitted == [True, True, True, False, False]
    assert reset_request_admit(email="A@Example.com ", ip="10.1.1.2", now=start) is False
    later = start + dt.timedelta(minutes=60, seconds=1)
    assert reset_request_admit(email="a@example.com", ip="10.1.1.1", now=later) is True
    # Rows older than the window are gone; addresses are not stored as given.
    assert ResetRequest.objects.filter(at__lt=later - dt.timedelta(hours=1)).count() == 0
    assert not ResetRequest.objects.filter(key__contains="example").exists()


# Links to it, and reset off --------------------------------------------------------------------


def test_the_log_in_page_links_to_the_reset(client):
    assert (
        f'<a href="{RESET}">Forgot your password?</a>'
        in client.get("/accounts/login/").content.decode()
    )


def test_the_lockout_page_links_to_the_reset(client, ada):
    assert fail(client, "ada", 5)[-1] == 429
    locked = client.post("/accounts/login/", {"username": "ada", "password": "x"})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert f'<a href="{RESET}">reset it by email</a>' in html
    assert "ask an administrator" not in html


@pytest.mark.parametrize(
    "path",
    [RESET, RESET + "sent/", RESET + "MQ/some-token/", RESET + "done/"],
)
def test_with_reset_off_every_reset_page_is_a_404_that_says_so(client, settings, path):
    settings.PASSWORD_RESET_ENABLED = False
    for response in (client.get(path), client.post(path, {"email": "ada@example.com"})):
        assert response.status_code == 404
        assert "Password reset is off on this site" in response.content.decode()
    assert mail.outbox == []


def test_with_reset_off_log_in_and_lockout_pages_do_not_offer_it(client, settings, ada):
    settings.PASSWORD_RESET_ENABLED = False
    assert "Forgot your password?" not in client.get("/accounts/login/").content.decode()
    fail(client, "ada", 5)
    locked = client.post("/accounts/login/", {"username": "ada", "password": "x"})
    assert "ask an administrator" in locked.content.decode()
    assert RESET not in locked.content.decode()
