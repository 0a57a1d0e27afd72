"""An instructor finds who is behind: from the admin to the roster, sorted, to one learner."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.analytics.conftest import log
from tests.browser.conftest import log_in, new_page
from tests.conftest import make_card, make_lesson, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def class_of_three(db):
    lesson = make_lesson(title="Snapshots", slug="snapshots")
    card = make_card(
        lesson=lesson, kind="cloze", front="Snapshots are {{c1::incremental}}", back=""
    )
    busy, idle = make_user(username="busy"), make_user(username="idle")
    make_user(username="new")
    for rating in (1, 1, 3):
        log(busy, card.prompts.get(), rating)
    log(idle, card.prompts.get(), 3, days_ago=20)
    return lesson


@pytest.mark.parametrize("width", [1280, 375])
def test_an_instructor_opens_the_roster_sorts_it_and_opens_a_learner(
    live_server, browser, instructor, class_of_three, width
):
    with new_page(browser, viewport={"width": width, "height": 900}) as page:
        log_in(page, live_server, "instructor")
        page.goto(f"{live_server.url}/admin/")
        page.locator("#analytics-module").get_by_role(
            "link", name="Each learner's progress"
        ).click()
        expect(page.get_by_role("heading", name="Learners", level=1)).to_be_visible()
        names = page.locator(".roster tbody th")
        expect(names).to_have_text(["busy", "idle", "new"])  # by name at first
        page.get_by_role("link", name="Reviews, last 7 days").click()
        expect(page.get_by_role("columnheader", name="Reviews, last 7 days")).to_have_attribute(
            "aria-sort", "descending"
        )
        expect(names.first).to_have_text("busy")
        page.get_by_role("link", name="Reviews, last 7 days").click()  # reversed
        expect(names.last).to_have_text("busy")
        page.get_by_role("link", name="busy").click()
        expect(page.get_by_role("heading", name="busy", level=1)).to_be_visible()
        hardest = page.locator("section", has=page.get_by_role("heading", name="Hardest cards"))
        expect(hardest).to_contain_text("Snapshots are […]")  # as the study page shows it
        lessons = page.locator("section", has=page.get_by_role("heading", name="Lessons"))
        expect(lessons.get_by_role("row").nth(1)).to_contain_text("Snapshots")
