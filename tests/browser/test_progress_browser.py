"""The dashboard in Chromium, in both colour schemes; its screenshots are kept as artifacts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in, new_page
from tests.conftest import make_card, make_lesson, make_user, study_for_days

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_month_of_study_on_the_dashboard(live_server, browser, scheme):
    learner = make_user(username=f"month-{scheme}")
    lesson = make_lesson(title="Backups and point-in-time recovery", slug="backups")
    prompts = [make_card(lesson=lesson, front=f"Question {n}?").prompts.get() for n in range(40)]
    start = timezone.now() - dt.timedelta(days=30)
    study_for_days(learner, prompts, start=start, days=31, skip=(9,))

    with new_page(browser, color_scheme=scheme) as page:
        log_in(page, live_server, learner.username)
        page.get_by_role("link", name="My progress").click()
        expect(page.get_by_role("heading", name="My progress", level=1)).to_be_visible()
        heatmap = page.get_by_role("img", name="reviews on")
        expect(heatmap).to_be_visible()
        expect(heatmap.locator("rect")).to_have_count(365)
        expect(page.locator("svg.chart__svg--bars rect")).to_have_count(30)
        expect(page.locator(".stat").filter(has_text="Streak")).to_contain_text("day")
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") is (
            scheme == "dark"
        )

        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"dashboard-{scheme}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000

        page.get_by_text("Reviews by month, as a table").click()
        expect(page.locator(".chart__table table").first).to_be_visible()
        # Chromium puts a space before the visually hidden part of the name.
        page.get_by_role("link", name=re.compile(r"^Study this\s*: Backups")).click()
        expect(page).to_have_url(f"{live_server.url}/study/?scope=lesson%3Abackups")
        expect(page.locator("#study-card")).to_contain_text("Question")
