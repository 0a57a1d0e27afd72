"""Password reset by email: how often it may be asked for, and what is sent.

The pages are Django's PasswordResetView family (accounts/urls.py); this module holds what
Django leaves to the site. Django's token does the rest: a link works for
PASSWORD_RESET_TIMEOUT (an hour) and only once, since it hashes the password and the last
log-in, and setting a new password changes the session hash, which logs out every session of
that account (https://docs.djangoproject.com/en/6.1/topics/auth/default/#session-invalidation-on-password-change).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.crypto import salted_hmac

from accounts.models import ResetRequest


def _counting_key(kind: str, value: str) -> str:
    # Keyed, so the table cannot be matched against a list of addresses.
    return salted_hmac(
        "accounts.reset.ResetRequest", f"{kind}:{value}", algorithm="sha256"
    ).hexdigest()


@transaction.atomic
def reset_request_admit(*, email: str, ip: str | None, now: dt.datetime) -> bool:
    """Whether a reset email may go out for this request, counting it if so.

    At most PASSWORD_RESET_LIMIT_PER_EMAIL requests an hour for one address (whoever asks:
    so nobody can flood someone's inbox) and PASSWORD_RESET_LIMIT_PER_IP from one client
    address (so nobody can send to many inboxes). A refused request is not counted, so the
    limit lifts an hour after the requests that reached it, however often one tries meanwhile.
    """
    window_start = now - settings.PASSWORD_RESET_LIMIT_WINDOW
    # Old rows are only ever read to be ignored; the `at` index makes this cheap.
    ResetRequest.objects.filter(at__lt=window_start).delete()
    limits = {
        _counting_key("email", email.strip().lower()): settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    }
    if ip:
        limits[_counting_key("ip", ip)] = settings.PASSWORD_RESET_LIMIT_PER_IP
    for key, limit in limits.items():
        if ResetRequest.objects.filter(key=key, at__gte=window_start).count() >= limit:
            return False
    ResetRequest.objects.bulk_create(ResetRequest(key=key, at=now) for key in limits)
    return True


def stand_in_user(email: str):
    """An unsaved user for an address with no account: the reset form builds the same message
    for it as for a real account, then sends nothing. The request page then does the same work
    whether or not the address is known (see PasswordResetRequestForm)."""
    user_model = get_user_model()
    user = user_model(**{user_model.get_email_field_name(): email, "username": ""})
    user.set_unusable_password()
    return user
