"""The head links and the header of every site page, rendered once and kept.

`{% site_head %}` and `{% site_header %}` replace what base.html drew afresh on every request:
seven `{% url %}` reverses, five `{% static %}` lookups and two includes were most of the cost of
an empty page (bench/history.md, issue 20). What they draw depends on a handful of values, so
each is rendered from those values alone and kept per process, keyed by all of them:

- the head: nothing but static addresses, fixed for the life of a process;
- the header: the signed-in user's id, name, staff flag and Analytics right, and which nav item
  is current. The search box's text is drawn only on the search page, which is not kept.

What differs on every request is put in after, in place of markers: the log-in and sign-up
links' return address (the page's own address, so unbounded) and the log-out form's CSRF token
(masked afresh per response, as `{% csrf_token %}` does). The markers are random per process,
so no page text can spell one. Nothing here reads `csp_nonce`: the head's scripts are files from
this site, which the policy's `'self'` allows, so site pages carry no nonce at all.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.return_to import url_returning_here

register = template.Library()

_MARK = secrets.token_hex(12)
CSRF_MARKER = f"{_MARK}-csrf"
LOGIN_MARKER = f"{_MARK}-login"
SIGNUP_MARKER = f"{_MARK}-signup"

# Apps whose pages light up a nav item of their own.
_NAV_APPS = frozenset({"flashcards", "progress", "notes", "analytics"})
# Learners a process keeps a header for; each is a few KB.
KEPT_HEADERS = 2048


@register.simple_tag
def site_head() -> SafeString:
    return _head()


@lru_cache(maxsize=1)
def _head() -> SafeString:
    return mark_safe(render_to_string("includes/site_head.html"))


@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    request = context.get("request")
    user = context.get("user")
    signed_in = user is not None and user.is_authenticated
    search = context.get("search_page")
    query = getattr(search, "query", "") or ""
    if query:  # the search page with its text: any text, so not worth keeping
        html = _render_header(_identity(user) if signed_in else (None, "", False, False), "", query)
    else:
        html = _header(
            _identity(user) if signed_in else (None, "", False, False), _current(request)
        )
    if signed_in:
        return mark_safe(html.replace(CSRF_MARKER, get_token(request) if request else ""))
    if request is None:  # Django renders the 500 page without a request: plain links then
        login, signup = reverse("login"), reverse("signup")
    else:
        login, signup = (url_returning_here(request, name) for name in ("login", "signup"))
    return mark_safe(  # the header is our template; the addresses are escaped here
        html.replace(LOGIN_MARKER, escape(login)).replace(SIGNUP_MARKER, escape(signup))
    )


def _identity(user) -> tuple[int, str, bool, bool]:
    """Everything the header shows of a signed-in user."""
    from analytics.views import INSTRUCTOR_PERMISSION  # the Analytics link's own rule

    # is_staff first spares learners' pages the permission query.
    analytics = bool(user.is_staff) and user.has_perm(INSTRUCTOR_PERMISSION)
    return (user.pk, user.get_username(), bool(user.is_staff), analytics)


def _current(request) -> str:
    """The nav item that is the current page's, or ""."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.url_name == "home":
        return "home"
    if match.view_name == "trees:list":
        return "trees"
    return match.app_name if match.app_name in _NAV_APPS else ""


@lru_cache(maxsize=KEPT_HEADERS)
def _header(identity: tuple[int | None, str, bool, bool], current: str) -> str:
    return _render_header(identity, current, "")


def _render_header(identity: tuple[int | None, str, bool, bool], current: str, query: str) -> str:
    user_id, username, is_staff, analytics = identity
    chrome = {
        "user_id": user_id,
        "username": username,
        "is_staff": is_staff,
        "analytics": analytics,
        "current": current,
        "search": {"query": query},
        "csrf_marker": CSRF_MARKER,
        "login_marker": LOGIN_MARKER,
        "signup_marker": SIGNUP_MARKER,
    }
    return render_to_string("includes/site_header.html", {"chrome": chrome})


def forget() -> None:
    """Drop what is kept (settings changed under a test, or templates edited)."""
    _head.cache_clear()
    _header.cache_clear()


def _on_setting_changed(*, setting: str, **kwargs) -> None:
    if setting in {"STORAGES", "STATIC_URL", "TEMPLATES", "ROOT_URLCONF", "INSTALLED_APPS"}:
        forget()


setting_changed.connect(_on_setting_changed)
