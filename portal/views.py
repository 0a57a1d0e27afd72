"""Site-wide views that belong to no single app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """What a load balancer polls: a constant answer that touches no database.

    It is also the baseline the benchmarks compare every other page against.
    """
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers, and the admin's pages that do not link our icon, ask for /favicon.ico.

    The URL is looked up per request: with hashed static files the name is known only after
    `collectstatic`, so it must not be computed when the URLconf is imported.
    """
    return HttpResponsePermanentRedirect(static("favicon.svg"))
