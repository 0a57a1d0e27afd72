"""Outgoing email, configured by one URL: which SMTP server, as whom, and with which TLS.

    smtp://USER:PASSWORD@HOST:587     STARTTLS (the submission port's usual way)
    smtps://USER:PASSWORD@HOST:465    TLS from the first byte ("implicit TLS")

There is no plain-text form: a password-reset link is a key to an account, so it never
crosses the network unencrypted. User and password are percent-encoded, as in DATABASE_URL
(`@` is `%40`). Parsed by hand (a few lines) rather than with another dependency.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

# The port each scheme means when the URL names none.
DEFAULT_PORTS = {"smtp": 587, "smtps": 465}


class EmailUrlError(ValueError):
    """The URL cannot configure SMTP; the message says why, in one line."""


def mailer_from_url(url: str) -> dict[str, object]:
    """The MAILERS entry (Django 6.1's email settings) for an `smtp://` or `smtps://` URL.
    https://docs.djangoproject.com/en/6.1/ref/settings/#mailers"""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS:
        raise EmailUrlError(
            f"DJANGO_EMAIL_URL must start with smtp:// (STARTTLS) or smtps:// (TLS), "
            f"not {parts.scheme or 'nothing'}://."
        )
    if not parts.hostname:
        raise EmailUrlError("DJANGO_EMAIL_URL names no host.")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as error:  # a port that is not a number, or out of range
        raise EmailUrlError(f"DJANGO_EMAIL_URL has a bad port: {error}.") from None
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parts.hostname,
            "port": port,
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": parts.scheme == "smtp",
            "use_ssl": parts.scheme == "smtps",
            # Seconds: a stuck mail server must not hold a worker for ever.
            "timeout": 10,
        },
    }
