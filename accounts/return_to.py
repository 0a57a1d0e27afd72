"""Where log-in and sign-up send a learner afterwards: back to the page they came from.

Both views read `next` through `safe_next`, and every "Log in" / "Sign up" link is built by
`url_returning_here` (the `returning_url` template tag), so the rule lives in one place.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

REDIRECT_FIELD = "next"  # Django's REDIRECT_FIELD_NAME, which LoginView reads too

# On these pages "here" is the page the learner was sent from, passed on, so that going from
# log-in to sign-up (or back) does not make the form's own address the destination.
_ACCOUNT_PAGES = {"login", "signup"}


def safe_next(request: HttpRequest) -> str:
    """The request's `next` if it stays on this site, else "". The same check LoginView makes:
    `//evil.example`, `https://evil.example` and `javascript:` are refused."""
    candidate = request.POST.get(REDIRECT_FIELD) or request.GET.get(REDIRECT_FIELD) or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def url_returning_here(request: HttpRequest, url_name: str) -> str:
    """`url_name`'s address with `next` set to the current page, query string included."""
    match = request.resolver_match
    if match is not None and match.url_name in _ACCOUNT_PAGES:
        here = safe_next(request)
    else:
        # A partial fetched by htmx is not the page the learner sees; htmx names that page.
        htmx = getattr(request, "htmx", None)
        here = (htmx.current_url_abs_path if htmx else None) or request.get_full_path()
    url = reverse(url_name)
    if not here or here == "/":  # the home page is where they land anyway
        return url
    return f"{url}?{urlencode({REDIRECT_FIELD: here})}"
