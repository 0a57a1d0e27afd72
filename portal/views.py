"""Site-wide views that belong to no single app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """What a load balancer polls: a constant answer that touches no database.

    It is also the baseline the benchmarks compare every other page against.
    """
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
