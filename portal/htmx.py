"""What htmx tells a view about the page it was sent from."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that has been through django-htmx's middleware, typed so `request.htmx` is
    known (the pattern from django-htmx's example project)."""

    htmx: HtmxDetails


def current_page_path(request: HtmxHttpRequest) -> str | None:
    """The path (with its query) of the page htmx sent this request from, when that page is on
    this site; None otherwise.

    HX-Current-URL is a header like any other and may hold anything: django-htmx's
    `current_url_abs_path` lets urlsplit's ValueError out for a malformed URL such as
    "http://[::1", which would be a 500; here it is simply no page.
    """
    try:
        return request.htmx.current_url_abs_path
    except ValueError:
        return None
