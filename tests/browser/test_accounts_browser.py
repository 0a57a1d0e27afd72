"""Sign-up in a real browser: back where you were, in your own time zone; a header that
keeps a 150-character username from widening the page; the account page's download and
deletion; and a forgotten password reset by email. Each with and without JavaScript where
the flow has a form."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from flashcards.models import StudySettings
from tests.browser.conftest import new_page
from tests.browser.test_accessibility_browser import WIDEST_ELEMENTS
from tests.conftest import PASSWORD, make_card, make_lesson, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_up(page, live_server, username: str, email: str = "learner@example.com") -> None:
    page.goto(f"{live_server.url}/lessons/zones/")
    page.locator(".lesson-study").get_by_role("link", name="sign up").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(email)
    page.locator('input[name="password1"]').fill(PASSWORD)
    page.locator('input[name="password2"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    # Back on the lesson the learner signed up from, not the home page.
    expect(page).to_have_url(f"{live_server.url}/lessons/zones/")


@pytest.fixture
def lesson_with_cards(live_server):
    make_card(lesson=make_lesson(slug="zones", title="Zones"), front="Q?", back="A.")
    return live_server


def test_sign_up_saves_the_browsers_time_zone_and_returns_to_the_lesson(browser, lesson_with_cards):
    with new_page(browser, timezone_id="Pacific/Auckland") as page:
        sign_up(page, lesson_with_cards, "auckland")
    assert StudySettings.objects.get(user__username="auckland").time_zone == "Pacific/Auckland"


def test_sign_up_without_javascript_starts_on_utc(browser, lesson_with_cards):
    with new_page(browser, timezone_id="Pacific/Auckland", java_script_enabled=False) as page:
        sign_up(page, lesson_with_cards, "nojs")
    assert StudySettings.objects.get(user__username="nojs").time_zone == "UTC"


LONG_NAME = "a" * 61 + "@" + "b" * 80 + ".example"
WIDTHS = [320, 375, 1280]
PAGES = ["/", "/lessons/zones/", "/study/", "/progress/", "/accounts/", "/accounts/delete/"]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_150_character_username_never_widens_the_page(browser, lesson_with_cards, width):
    assert len(LONG_NAME) == 150
    client = Client()
    client.force_login(make_user(username=LONG_NAME))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    with new_page(browser, viewport={"width": width, "height": 800}) as page:
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": lesson_with_cards.url}]
        )
        for path in PAGES:
            page.goto(f"{lesson_with_cards.url}{path}")
            scroll_width, inner_width = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            widest = page.evaluate(WIDEST_ELEMENTS)
            assert scroll_width <= inner_width, f"{path} at {width}px: {scroll_width}px; {widest}"
            # Every header link stays on screen, and the name keeps its whole accessible name.
            nav = page.get_by_role("navigation", name="Site")
            for name in ("Lessons", "Study", "My progress", LONG_NAME):
                link = nav.get_by_role("link", name=name, exact=True)
                expect(link).to_be_in_viewport()
                box = link.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= inner_width, (path, name)
            expect(nav.get_by_role("button", name="Log out")).to_be_in_viewport()


@pytest.mark.parametrize("java_script", [True, False], ids=["with JavaScript", "without"])
def test_download_then_delete_the_account(browser, lesson_with_cards, java_script):
    with new_page(browser, java_script_enabled=java_script) as page:
        sign_up(page, lesson_with_cards, "leaver")
        page.get_by_role("navigation", name="Site").get_by_role("link", name="leaver").click()
        expect(page.get_by_role("heading", name="Your account")).to_be_visible()
        page.get_by_role("link", name="Delete my account").click()
        with page.expect_download() as download:
            page.get_by_role("link", name="download your progress").click()
        data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        assert data["username"] == "leaver" and data["settings"] is not None
        page.get_by_label("Your password").fill(PASSWORD)
        page.get_by_role("button", name="Delete my account").click()
        expect(page.locator(".messages")).to_have_text(
            "The account leaver and all its data are deleted."
        )
        nav = page.get_by_role("navigation", name="Site")
        expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    assert not get_user_model().objects.filter(username="leaver").exists()
    assert not StudySettings.objects.exists()


NEW_PASSWORD = "a brand new passphrase"


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_a_forgotten_password_is_reset_by_email(browser, lesson_with_cards, javascript):
    """Signed up from a lesson, logged out, forgotten: ask for a link from the log-in page,
    open it from the email (the live server runs in this process, its mail in locmem's
    outbox), set a new password, log in with it."""
    live_server = lesson_with_cards
    with new_page(browser, java_script_enabled=javascript) as page:
        sign_up(page, live_server, "forgetful", email="Forgetful@Example.com")
        page.get_by_role("navigation", name="Site").get_by_role("button", name="Log out").click()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_role("link", name="Forgot your password?").click()
        # Any case of the address finds the account.
        page.get_by_label("Email address").fill("forgetful@EXAMPLE.com")
        page.get_by_role("button", name="Send the link").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

        [message] = mail.outbox
        link = re.search(r"http\S+/accounts/password/reset/\S+/", message.body)[0]
        assert link.startswith(live_server.url)
        page.goto(link)
        expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
        page.locator('input[name="new_password1"]').fill(NEW_PASSWORD)
        page.locator('input[name="new_password2"]').fill(NEW_PASSWORD)
        page.get_by_role("button", name="Set the password").click()
        expect(page.get_by_role("heading", name="Your new password is set")).to_be_visible()

        page.get_by_role("main").get_by_role("link", name="Log in").click()
        page.get_by_label("Username").fill("forgetful")
        page.get_by_label("Password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.get_by_role("link", name="forgetful")).to_be_visible()

        # The link was spent by the new password.
        page.goto(link)
        expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
