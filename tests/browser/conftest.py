"""Playwright (Python) driving Debian's Chromium against Django's live test server.

Playwright cannot download a browser here, so it launches /usr/bin/chromium. Without that
binary the browser tests are skipped, unless REQUIRE_BROWSER is set (as .ci/run does), in
which case they fail: CI must never pass by skipping them.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from django.db import connections
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tools.chromium import CHROMIUM, LAUNCH_ARGS

# Playwright's sync API keeps an event loop running in this thread; Django's ORM refuses to run
# under one unless told that this is a deliberate, single-threaded use.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser(django_db_setup):
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Under Playwright the test thread gets connection objects of its own (below); the ones
    # it used until now would stay open, unreachable by the teardown that closes connections.
    connections.close_all()
    # The test database's contents just after migrating, which serialized_rollback restores.
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        # Under Playwright's event loop this thread gets Django connection objects of its own
        # (asgiref's Local follows the async context), without those contents: serialized
        # rollback would silently restore nothing, and data that migrations create (the
        # Instructors group) would be gone after the first browser test.
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
        yield browser
        browser.close()


# Every Content Security Policy violation is reported to the test, not only as a console
# message: an init script (which the page's own policy does not govern) listens for the
# `securitypolicyviolation` event and calls a function the context exposes.
# https://developer.mozilla.org/en-US/docs/Web/API/SecurityPolicyViolationEvent
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(`${event.effectiveDirective} blocked ${event.blockedURI}`
    + ` at ${event.sourceFile || document.URL}:${event.lineNumber}`);
});
"""


@contextmanager
def new_page(browser, *, expected_errors: tuple[str, ...] = (), **context_options):
    """A page in a fresh browser context; any CSP violation, and any console error, fails.

    `expected_errors` lists fragments of console errors that are the point of a test, such as
    the console's note of a 404 response when a test opens a missing page on purpose. It never
    excuses a CSP violation.
    """
    context_options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(**context_options)
    violations: list[str] = []

    def report_csp_violation(text: str) -> None:
        violations.append(text)

    context.expose_function("__reportCspViolation", report_csp_violation)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert violations == [], f"Content Security Policy violations: {violations}"
    unexpected = [error for error in errors if not any(part in error for part in expected_errors)]
    assert unexpected == [], f"the browser reported errors: {unexpected}"


@pytest.fixture
def page(browser):
    with new_page(browser) as page:
        yield page


def log_in(page, live_server, username: str) -> None:
    """Sign in through the log-in form, as a learner would, and land on the home page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/")
