"""The site's URLs plus two limits the benchmark measures beside /healthz.

`/healthz` is a constant answer with no session. These say what any page of a kind can reach
at best on the same server: a constant answer to a signed-in learner (the session read from
the database with its user, as on every signed-in page) and the site's page shell (the
base template, empty). Only the benchmark's server (bench.settings) has them.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from portal.urls import handler400
from portal.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "urlpatterns"]


def signed_in_limit(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:  # reads the session with its user (one query)
        return HttpResponse("not signed in\n", status=403, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def page_shell(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


urlpatterns = [
    *site_urlpatterns,
    path("bench/signed-in", signed_in_limit),
    path("bench/page-shell", page_shell),
]
