"""Conditional GET and the visitors' page cache, as one decorator for the reading pages.

A visitor (no session or messages cookie, so the page cannot depend on who they are):
- the ETag is a hash of the content version, the code version and the request's variant (host,
  address with its query, htmx or not, and for htmx the page it came from), so an
  `If-None-Match` that matches is answered 304 before the view runs;
- a 200 without cookies, without a CSP nonce and under `LARGEST_CACHED_PAGE` is kept in
  Django's cache under that same hash, for an address without a query string or with only
  trees' steps (`tree-<slug>=...`), which bounds the keys to the pages and their steps.

Never stale: the content version is read on every request, first, and every write to what
these pages show changes it in the same transaction (database triggers, `pagecache.triggers`).
An entry made under a version holds a body rendered after that version was read, so at least
as new; once a write commits, no request can compute an old key again (the token is random).

Anyone else (a learner, or a visitor with a session): the view runs, and the body's hash is
the ETag, so a revalidation of an unchanged page is still a 304 (without the bytes); their
`Cache-Control: private, no-store` (portal.middleware) stays.

A visitor's htmx step through a tree is recorded (trees.widgets.is_a_step): the view always
runs for it, so serving from the cache never loses that write.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers

from pagecache.versions import code_version, request_content_version
from portal.htmx import current_page_path
from trees.widgets import is_a_step

LARGEST_CACHED_PAGE = 256 * 1024
# The headers a variant depends on: whether the request is htmx, which page sent it (a tree
# step's links point back at the page it sits on), and the cookies (a learner's page differs).
VARY = ("Cookie", "HX-Request", "HX-Current-URL")
# Cached headers worth keeping; the CSP, frame and security headers are set per response by
# the middleware outside the view, so a cached page gets them fresh.
KEPT_HEADERS = ("Content-Type", "Content-Language")
TREE_STEP_PREFIX = "tree-"
# A CSRF token as the templates write it (a form's hidden field, htmx's header on <body>).
MASKED_CSRF_TOKEN = re.compile(
    rb'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]{64}'
)


def reading_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Conditional GET for everyone, and the page cache for visitors (module docstring)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET" or not _is_visitor(request) or _records_a_step(request):
            return _revalidated_by_body(request, view(request, *args, **kwargs))
        tag = _visitor_tag(request)
        not_modified = get_conditional_response(request, etag=tag)
        if not_modified is not None:
            return _as_visitor_page(not_modified, tag)
        cacheable = _cacheable_address(request)
        if cacheable:
            stored = cache.get(_cache_key(tag))
            if stored is not None:
                return _as_visitor_page(_response_from(stored), tag)
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.streaming or _sets_cookies(request, response):
            return _revalidated_by_body(request, response)
        if cacheable and _storable(request, response):
            cache.set(_cache_key(tag), _stored_from(response))
        return _as_visitor_page(response, tag)

    return wrapped


def _is_visitor(request: HttpRequest) -> bool:
    """No cookie that can change the page: no session (so no user), no pending messages."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def _records_a_step(request: HttpRequest) -> bool:
    """Whether the view would record a walk for this visitor: an htmx step with a path."""
    return is_a_step(request) and any(
        key.startswith(TREE_STEP_PREFIX) and value for key, value in request.GET.items()
    )


def _sets_cookies(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether this response will carry a cookie, including those the middleware outside the
    view adds: the CSRF cookie (the page read the token, so the body holds it), the session
    (written by the view) and messages (added by the view)."""
    messages = getattr(request, "_messages", None)
    return bool(
        response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or request.session.modified
        or getattr(messages, "added_new", False)
    )


def _visitor_tag(request: HttpRequest) -> str:
    htmx = request.headers.get("HX-Request") == "true"
    history = request.headers.get("HX-History-Restore-Request") == "true"
    variant = "\n".join(
        [
            request_content_version(),
            code_version(),
            request.scheme,
            request.get_host(),
            request.get_full_path(),
            f"htmx={htmx} history={history}",
            (current_page_path(request) or "") if htmx else "",
        ]
    )
    return '"v-' + hashlib.sha256(variant.encode()).hexdigest()[:32] + '"'


def _cacheable_address(request: HttpRequest) -> bool:
    """Only the bare address or trees' steps: any other query string could make endless keys.
    For htmx, the page it came from must be such an address too."""
    if not all(key.startswith(TREE_STEP_PREFIX) for key in request.GET):
        return False
    if request.headers.get("HX-Request") == "true":
        current = current_page_path(request) or ""
        query = current.partition("?")[2]
        return (
            all(part.startswith(TREE_STEP_PREFIX) for part in query.split("&") if part)
            and len(current) < 2000
        )
    return True


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    """A page that used a CSP nonce is never kept: a nonce sent twice protects nothing."""
    nonce_used = bool(getattr(request, "_csp_nonce", None))
    return not nonce_used and len(response.content) <= LARGEST_CACHED_PAGE


def _cache_key(tag: str) -> str:
    return "pagecache:" + tag.strip('"')


def _stored_from(response: HttpResponse) -> dict:
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    return {"content": response.content, "headers": headers}


def _response_from(stored: dict) -> HttpResponse:
    response = HttpResponse(stored["content"])
    for name, value in stored["headers"].items():
        response[name] = value
    return response


def _as_visitor_page(response: HttpResponse, tag: str) -> HttpResponse:
    response["ETag"] = tag
    # Browsers may keep the page but ask each time: a 304 costs a version read and no body.
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, VARY)
    return response


def _revalidated_by_body(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The ETag from the body's hash, and a 304 when the request already holds it (what
    Django's ConditionalGetMiddleware does, for these pages only)."""
    patch_vary_headers(response, VARY)
    if request.method not in ("GET", "HEAD") or response.streaming:
        return response
    if response.status_code != 200:
        return response
    response["ETag"] = _body_tag(request, response.content)
    return get_conditional_response(request, etag=response["ETag"], response=response)


def _body_tag(request: HttpRequest, content: bytes) -> str:
    """The body's hash, less the CSRF tokens Django masks afresh on every render (so that an
    unchanged page hashes the same), plus the secret they stand for: a page kept from before
    the secret changed (a log-in rotates it) holds tokens that would now be refused."""
    unmasked = MASKED_CSRF_TOKEN.sub(b"\\1", content)
    secret = request.META.get("CSRF_COOKIE", "").encode()
    return '"b-' + hashlib.sha256(unmasked + b"\n" + secret).hexdigest()[:32] + '"'
