"""My cards in Chromium at phone width: tick two rows, suspend them, and find them suspended."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in, new_page
from tests.conftest import grade_now, make_card, make_lesson, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_select_two_cards_and_suspend_them_at_375_px(live_server, browser, javascript):
    learner = make_user(username=f"cards-{javascript}")
    lesson = make_lesson(title="Backups", slug=f"backups-{javascript}")
    prompts = [make_card(lesson=lesson, front=f"Question {n}?").prompts.get() for n in range(4)]
    grade_now(learner, prompts[0], 4, timezone.now() - dt.timedelta(days=2))

    with new_page(
        browser, viewport={"width": 375, "height": 667}, java_script_enabled=javascript
    ) as page:
        log_in(page, live_server, learner.username)
        page.goto(f"{live_server.url}/study/cards/?lesson={lesson.slug}")
        expect(page.get_by_role("heading", name="My cards", level=1)).to_be_visible()
        # The page itself does not scroll sideways; the table scrolls in its own region.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.get_by_role("checkbox", name="Question 1?").check()
        page.get_by_role("checkbox", name="Question 2?").check()
        page.get_by_label("Action", exact=True).select_option("suspend")
        page.get_by_role("button", name="Apply").click()

        expect(page.locator(".messages")).to_have_text("2 cards suspended.")
        # Back on the same filtered page.
        expect(page).to_have_url(f"{live_server.url}/study/cards/?lesson={lesson.slug}")
        page.get_by_label("Held back", exact=True).select_option("suspended")
        page.get_by_role("button", name="Show").click()
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Question 1?")
        expect(rows.nth(1)).to_contain_text("Suspended")
