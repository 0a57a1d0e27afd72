"""Pages that read the CSP nonce or the CSRF token, behind the page cache (test_pages.py):
none of the site's reading pages does any more, and these check that such a page is never
kept."""

from __future__ import annotations

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from pagecache.pages import reading_page


@reading_page
def with_nonce(request) -> HttpResponse:
    return HttpResponse(
        engines["django"]
        .from_string('<script nonce="{{ csp_nonce }}">1</script>')
        .render({}, request)
    )


@reading_page
def with_csrf_token(request) -> HttpResponse:
    return HttpResponse(
        engines["django"].from_string("<form>{% csrf_token %}</form>").render({}, request)
    )


urlpatterns = [
    path("with-nonce/", with_nonce),
    path("with-csrf-token/", with_csrf_token),
    path("", include("portal.urls")),
]
