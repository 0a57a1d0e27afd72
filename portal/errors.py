"""Error pages that say what went wrong: a bad or oversized request, a refused form.

Django's own 400 page says only "Bad Request"; these say which limit was hit. A page is
rendered in the site's style; htmx gets one line of text instead, because htmx does not swap
an error response and static/js/study.js shows its text as it is.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

CSRF_MESSAGE = (
    "This form has expired or did not come from this site, so nothing was changed. "
    "Reload the page and try again."
)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def bad_request_message(exception: Exception | None) -> tuple[int, str]:
    """The status and the one-line explanation for a request Django refused to read."""
    if isinstance(exception, RequestDataTooBig):
        limit = _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return 413, f"This request is larger than the site accepts ({limit} of form data at most)."
    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return 400, f"This request has too many form fields ({limit:,} at most)."
    if isinstance(exception, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return 400, f"This request sends too many files at once ({limit:,} at most)."
    if isinstance(exception, MultiPartParserError):
        return 400, "The uploaded form data could not be read; it is malformed."
    if isinstance(exception, DisallowedHost):
        return 400, "This site does not answer to that host name."
    return 400, "The request could not be understood."


def _error(request: HttpRequest, template: str, status: int, title: str, message: str):
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    context = {"title": title, "message": message}
    return render(request, template, context, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: the request was refused before any view could act on it."""
    status, message = bad_request_message(exception)
    title = "Request too large" if status == 413 else "Bad request"
    return _error(request, "400.html", status, title, f"{message} Nothing was changed.")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a POST without this site's token (an old tab, or another site)."""
    return _error(request, "403_csrf.html", 403, "Form expired", CSRF_MESSAGE)
