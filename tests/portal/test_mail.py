"""DJANGO_EMAIL_URL, parsed into Django's MAILERS entry."""

from __future__ import annotations

import pytest

from portal.mail import EmailUrlError, mailer_from_url


def test_smtp_is_starttls_on_the_submission_port_by_default():
    mailer = mailer_from_url("smtp://portal%40example.com:p%2Fss@mail.example.com")
    assert mailer == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "mail.example.com",
            "port": 587,
            "username": "portal@example.com",  # percent-encoded in the URL
            "password": "p/ss",
            "use_tls": True,
            "use_ssl": False,
            "timeout": 10,
        },
    }


def test_smtps_is_tls_from_the_start_on_465():
    options = mailer_from_url(" smtps://user:secret@mail.example.com ")["OPTIONS"]
    assert (options["port"], options["use_tls"], options["use_ssl"]) == (465, False, True)


def test_a_port_in_the_url_wins():
    assert mailer_from_url("smtp://mail.example.com:2525")["OPTIONS"]["port"] == 2525


def test_without_user_and_password_none_are_sent():
    options = mailer_from_url("smtp://relay.internal")["OPTIONS"]
    assert (options["username"], options["password"]) == ("", "")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "http://mail.example.com",
            "DJANGO_EMAIL_URL must start with smtp:// (STARTTLS) or smtps:// (TLS), not http://.",
        ),
        (
            "mail.example.com",
            "DJANGO_EMAIL_URL must start with smtp:// (STARTTLS) or smtps:// (TLS), "
            "not nothing://.",
        ),
        ("smtp://", "DJANGO_EMAIL_URL names no host."),
        ("smtp://mail.example.com:port", "DJANGO_EMAIL_URL has a bad port: "),
    ],
)
def test_a_url_that_cannot_send_is_refused_in_one_line(url, message):
    with pytest.raises(EmailUrlError) as error:
        mailer_from_url(url)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)
