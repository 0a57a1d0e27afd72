"""Search in a real browser: results as the learner types in the header's box, without a page
load; a result opening the lesson at its section; the same box without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_page

BOX = "Search lessons, flashcards and decision trees"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_typing_in_the_header_updates_results_in_place_then_a_result_opens_its_section(
    live_server, page, bundled_content
):
    page.goto(f"{live_server.url}/lessons/backups-and-point-in-time-recovery/")
    page.evaluate("window.__sameDocument = true")  # a page load would lose this
    history_length = page.evaluate("history.length")
    box = page.get_by_role("searchbox", name=BOX)
    results = page.locator("#search-results")
    status = page.locator("#search-status")

    box.press_sequentially("perc", delay=30)
    expect(results.get_by_role("link", name="Into Aurora MySQL", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/search/\?q=perc$"))
    expect(page).to_have_title("Search: perc · Study portal")
    expect(status).to_have_text(re.compile(r"^\d+ results for “perc”$"))
    expect(results.locator("mark").first).to_have_text("Percona")

    box.press_sequentially("ona zeppelin", delay=30)
    expect(page.locator("#search-page")).to_contain_text("No results for “percona zeppelin”")
    expect(status).to_have_text("No results for “percona zeppelin”")
    box.fill("percona")
    expect(results.get_by_role("link", name="Which restore path?")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/search/\?q=percona$"))

    assert page.evaluate("window.__sameDocument === true")
    expect(box).to_be_focused()
    # One history entry for the whole search: Back returns to the lesson, not to "perc".
    assert page.evaluate("history.length") == history_length + 1

    results.get_by_role("link", name="Into Aurora MySQL", exact=True).click()
    expect(page).to_have_url(re.compile(r"/lessons/restore-paths/#into-aurora-mysql$"))
    expect(page.get_by_role("heading", name="Into Aurora MySQL")).to_be_in_viewport()


def test_pressing_enter_opens_the_results_page(live_server, page, bundled_content):
    page.goto(f"{live_server.url}/")
    box = page.get_by_role("searchbox", name=BOX)
    box.fill("xtrabackup")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=xtrabackup$"))
    expect(page.locator("#search-count")).to_have_text(re.compile(r"results for “xtrabackup”"))
    expect(page.get_by_role("searchbox", name=BOX)).to_have_value("xtrabackup")


def test_without_javascript_the_same_box_submits_the_search(live_server, browser, bundled_content):
    with new_page(browser, java_script_enabled=False) as page:
        page.goto(f"{live_server.url}/trees/")
        box = page.get_by_role("searchbox", name=BOX)
        box.fill("percona")
        page.get_by_role("search").get_by_role("button", name="Search").click()
        expect(page).to_have_url(re.compile(r"/search/\?q=percona$"))
        results = page.locator("#search-results")
        expect(results.get_by_role("link", name="Which restore path?")).to_be_visible()
        results.get_by_role("link", name="Which restore path?").click()
        expect(page).to_have_url(re.compile(r"/trees/which-restore-path/$"))
