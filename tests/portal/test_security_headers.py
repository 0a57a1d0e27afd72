"""Response headers under the production settings: the Observatory's A+, and a Content Security
Policy on every page that nothing on the page has to break."""

from __future__ import annotations

import json
import os
import re
import runpy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import PASSWORD, make_card, make_lesson, make_tree
from tests.portal.observatory import observe

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "portal" / "settings.py"
# Everything the production settings decide about headers, cookies and HTTPS.
SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SESSION_ENGINE",
    "SECURE_CSP",
    "SECURE_CSP_REPORT_ONLY",
    "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
]
UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'")


def production_values(**env: str) -> dict:
    """portal/settings.py as a server runs it: debug off, its own defaults for the rest."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("DJANGO_") and name != "DJANGO_SETTINGS_MODULE":
                patch.delenv(name)
        patch.setenv("DJANGO_DEBUG", "0")
        patch.setenv("DJANGO_SECRET_KEY", "a-production-key-" + "s3cr3t" * 10)
        patch.setenv("DJANGO_ALLOWED_HOSTS", "testserver")
        for name, value in env.items():
            patch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))


@pytest.fixture
def production(settings):
    """The production settings' security choices, in this test process.

    Static files stay as in the tests (no `collectstatic` here; tests/test_serve.py serves the
    hashed files). Each test's client is new, so its middleware reads these settings.
    """
    values = production_values()
    for name in SECURITY_SETTINGS:
        if name in values:
            setattr(settings, name, values[name])
    return values


def header_pairs(response) -> list[tuple[str, str]]:
    """Every header as sent, Set-Cookie once per cookie."""
    cookies = [("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()]
    return [*response.headers.items(), *cookies]


def observatory(client: Client, path: str, *, cookies=()):
    """Fetch `path` over https, and over plain http for the redirect, and score it."""
    response = client.get(path, secure=True)
    assert response.status_code == 200, path
    plain = client.get(path)
    assert plain.status_code == 301
    return observe(
        f"https://testserver{path}",
        [*header_pairs(response), *cookies],
        html=response.content.decode(),
        http_redirects=[plain["Location"]],
    )


def test_production_settings_turn_on_https_hsts_and_secure_cookies(production):
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    # Database sessions (read cheaply): logging out ends a session at once on every host.
    assert production["SESSION_ENGINE"] == "portal.sessions"


def test_the_main_pages_score_a_plus_on_the_observatory(production, client, learner):
    lesson = make_lesson(title="Backups", slug="backups")
    make_card(lesson=lesson)
    reports = {
        "home": observatory(client, "/"),
        "lesson": observatory(client, lesson.get_absolute_url()),
        "login": observatory(client, "/accounts/login/"),
    }
    # Signing in sets the session cookie (and a fresh CSRF cookie); the Observatory judges
    # every cookie it is given.
    signed_in = client.post(
        "/accounts/login/", {"username": "learner", "password": PASSWORD}, secure=True
    )
    assert signed_in.status_code == 302
    login_cookies = [pair for pair in header_pairs(signed_in) if pair[0] == "Set-Cookie"]
    assert {cookie.split("=")[0] for _, cookie in login_cookies} >= {"sessionid", "csrftoken"}
    reports["study"] = observatory(client, "/study/", cookies=login_cookies)

    for page, report in reports.items():
        assert report.grade == "A+", (page, report.score, report.outcomes)
        assert report.modifiers == {name: m for name, m in report.modifiers.items() if m >= 0}
    assert reports["study"].outcomes["cookies"] == (
        "cookies-secure-with-httponly-sessions-and-samesite"
    )
    assert reports["home"].outcomes["content-security-policy"] == "csp-implemented-with-no-unsafe"
    assert reports["home"].outcomes["x-frame-options"] == "x-frame-options-implemented-via-csp"
    assert reports["home"].outcomes["cross-origin-opener-policy"] == (
        "cross-origin-opener-policy-implemented-with-same-origin"
    )


def test_healthz_answers_a_load_balancer_over_plain_http(production, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert client.get("/").status_code == 301


def test_a_proxys_https_header_is_believed_only_when_configured():
    assert "SECURE_PROXY_SSL_HEADER" not in production_values()
    values = production_values(DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_each_https_setting_can_be_turned_down():
    values = production_values(
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_HSTS_SECONDS="3600",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="0",
        DJANGO_HSTS_PRELOAD="0",
        DJANGO_SECURE_COOKIES="0",
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is False


class PageParts(HTMLParser):
    """What a strict Content Security Policy would block: inline scripts without the nonce,
    inline styles, event-handler attributes, `javascript:` URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts: list[str | None] = []  # each one's nonce
        self.style_elements = 0
        self.style_attributes: list[str] = []
        self.handlers: list[str] = []
        self.javascript_urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.inline_scripts.append(attributes.get("nonce"))
        if tag == "style":
            self.style_elements += 1
        for name, value in attrs:
            if name == "style":
                self.style_attributes.append(f"<{tag} style={value!r}>")
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.javascript_urls.append(f"<{tag} {name}={value!r}>")


def pages_to_check(superuser) -> list[tuple[str, dict]]:
    lesson = make_lesson(title="Backups", slug="backups", body="## One\n\n[[tree:ways]]\n")
    card = make_card(lesson=lesson)
    tree = make_tree(slug="ways")
    htmx = {"HTTP_HX_REQUEST": "true"}
    return [
        ("/", {}),
        (lesson.topic.get_absolute_url(), {}),
        (lesson.get_absolute_url(), {}),
        ("/trees/", {}),
        ("/trees/ways/", {}),
        ("/trees/ways/?tree-ways=1", htmx),
        ("/trees/ways/map/", {}),
        ("/search/?q=backups", {}),
        ("/no-such-page/", {}),
        ("/study/", {}),
        ("/study/settings/", {}),
        ("/progress/", {}),
        ("/analytics/", {}),
        ("/accounts/password/", {}),
        ("/admin/", {}),
        ("/admin/lessons/lesson/", {}),
        ("/admin/lessons/lesson/add/", {}),
        (f"/admin/lessons/lesson/{lesson.pk}/change/", {}),
        ("/admin/lessons/lesson/import/", {}),
        (f"/admin/trees/tree/{tree.pk}/change/", {}),
        (f"/admin/flashcards/card/{card.pk}/change/", {}),
        ("/admin/auth/user/", {}),
        (f"/admin/auth/user/{superuser.pk}/change/", {}),
        (f"/admin/auth/user/{superuser.pk}/password/", {}),
        ("/admin/auth/group/add/", {}),
    ]


def test_every_page_has_a_strict_policy_that_nothing_on_it_breaks(client, superuser):
    visitor = Client()
    responses = [(path, visitor.get(path)) for path in ("/accounts/login/", "/accounts/signup/")]
    client.force_login(superuser)
    responses += [(path, client.get(path, **extra)) for path, extra in pages_to_check(superuser)]
    for path, response in responses:
        assert response.status_code == (404 if path == "/no-such-page/" else 200), path
        policy = response["Content-Security-Policy"]
        assert not any(source in policy for source in UNSAFE_SOURCES), (path, policy)
        directives = {
            part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()
        }
        # Django names the nonce only in responses that used it (a template read csp_nonce).
        script_src = directives["script-src"]
        assert script_src[0] == "'self'" and len(script_src) <= 2, (path, policy)
        nonce = script_src[1].removeprefix("'nonce-").removesuffix("'") if script_src[1:] else ""
        assert nonce or not script_src[1:]
        assert directives["object-src"] == directives["base-uri"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert "Content-Security-Policy-Report-Only" not in response

        parts = PageParts()
        parts.feed(response.content.decode())
        assert all(script_nonce == nonce != "" for script_nonce in parts.inline_scripts), path
        assert parts.style_elements == 0, path
        assert parts.style_attributes == [], path
        assert parts.handlers == [], path
        assert parts.javascript_urls == [], path


def test_the_admin_login_page_has_the_policy_too(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "'nonce-" in response["Content-Security-Policy"]


def test_htmx_is_configured_for_the_policy(client):
    page = client.get("/").content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    # No inline indicator styles (style-src has no 'unsafe-inline'), no eval (hx-on, js: values).
    assert json.loads(config[1]) == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
    }


def test_the_policy_in_settings_allows_nothing_unsafe(settings):
    sources = [source for values in settings.SECURE_CSP.values() for source in values]
    assert not any(source in UNSAFE_SOURCES for source in sources)
    assert settings.SECURE_CSP["default-src"] == ["'self'"]


class Containers(HTMLParser):
    """The elements that hold authored (Markdown) HTML, and whether htmx is off inside."""

    def __init__(self) -> None:
        super().__init__()
        self.prose: list[bool] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if "prose" in classes:
            self.prose.append("hx-disable" in dict(attrs))


def prose_containers(response) -> list[bool]:
    parser = Containers()
    parser.feed(response.content.decode())
    return parser.prose


def test_authored_html_sits_inside_hx_disable_on_every_page_that_shows_it(client, learner):
    lesson = make_lesson(slug="held", body="One.\n\n[[tree:ways]]\n\nTwo.\n")
    make_tree(slug="ways")
    make_card(lesson=lesson, front="**Front**", back="*Back*")
    # The lesson's two prose parts around the tree, and the tree's outcome explanation.
    lesson_page = client.get("/lessons/held/?tree-ways=1")
    assert prose_containers(lesson_page) == [True, True, True]
    assert prose_containers(client.get("/trees/ways/?tree-ways=1")) == [True]
    assert prose_containers(client.get("/trees/ways/?tree-ways=1", HTTP_HX_REQUEST="true")) == [
        True
    ]

    client.force_login(learner)
    front = client.get("/study/")
    assert prose_containers(front) == [True]
    token = front.context["page"].token
    assert prose_containers(client.get("/study/", {"reveal": token})) == [True, True]
    assert prose_containers(client.get("/study/", {"reveal": token}, HTTP_HX_REQUEST="true")) == [
        True,
        True,
    ]
