"""Log-in lockout, with django-axes: who the client is, and what a locked-out visitor is told.

Settings name these functions (`AXES_CLIENT_IP_CALLABLE`, `AXES_LOCKOUT_CALLABLE`); the lockout
rules themselves are settings too (see portal/settings.py).
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

LOCKED_OUT_STATUS = 429  # Too Many Requests


def client_ip_address(request: HttpRequest) -> str | None:
    """The address a log-in attempt comes from.

    REMOTE_ADDR, unless `PROXY_COUNT` (DJANGO_PROXY_COUNT) reverse proxies of ours stand in
    front of the application: each appends the address it received the request from to
    X-Forwarded-For, so the client is the entry that many places from the right. Entries
    further left were written by the client and could be anything, so they are never used.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote  # not through all our proxies: a direct request, judged by its own address
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote  # not an address: the proxies are not set up as DJANGO_PROXY_COUNT says


def client_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The username an attempt names, as axes records it: cut to the 255 characters it stores.

    The log-in form does not limit the username's length, and PostgreSQL refuses to store a
    longer one (a 500); no real username is that long (150 characters at most).
    """
    field = str(settings.AXES_USERNAME_FORM_FIELD)
    username = credentials.get(field) if credentials else request.POST.get(field)
    return username[:255] if isinstance(username, str) else username


def locked_until(request: HttpRequest, credentials: dict | None) -> dt.datetime:
    """When this username may log in again from this address: an hour after the failure
    that locked it out (later attempts do not extend it)."""
    cool_off = get_cool_off(request) or dt.timedelta(0)
    last_failure = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=getattr(request, "axes_ip_address", None),
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last_failure or timezone.now()) + cool_off


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page a locked-out log-in gets, in place of the log-in form: why, and until when."""
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "until": locked_until(request, credentials),
    }
    return render(request, "registration/locked_out.html", context, status=LOCKED_OUT_STATUS)
