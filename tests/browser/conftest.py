"""Playwright (Python) driving Debian's Chromium against Django's live test server.

Playwright cannot download a browser here, so it launches /usr/bin/chromium. Without that
binary the browser tests are skipped, unless REQUIRE_BROWSER is set (as .ci/run does), in
which case they fail: CI must never pass by skipping them.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in this thread; Django's ORM refuses to run
# under one unless told that this is a deliberate, single-threaded use.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # The machine has no network beyond package registries: keep Chromium from trying.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
        yield browser
        browser.close()


@contextmanager
def new_page(browser, **context_options):
    """A page in a fresh browser context; console errors (CSP violations included) fail."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
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
    assert errors == [], f"the browser reported errors: {errors}"


@pytest.fixture
def page(browser):
    with new_page(browser) as page:
        yield page
