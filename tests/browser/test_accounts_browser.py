"""Sign-up in a real browser: back where you were, in your own time zone; and a header that
keeps a 150-character username from widening the page; the account page's download and
deletion, with and without JavaScript."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
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


def sign_up(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/lessons/zones/")
    page.locator(".lesson-study").get_by_role("link", name="sign up").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill("learner@example.com")
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
