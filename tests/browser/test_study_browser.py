"""Studying in a real browser, by keyboard alone, without a page load."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from flashcards.models import PromptState, Review
from tests.browser.conftest import log_in
from tests.conftest import make_card, make_lesson, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def ready(page):
    """The card htmx has processed (keys are ignored until then)."""
    return page.locator("#study-card[data-ready]")


def test_three_cards_by_keyboard_space_3_u_1_without_a_page_load(live_server, page):
    learner = make_user(username="keys")
    lesson = make_lesson()
    for number in (1, 2, 3):
        make_card(lesson=lesson, front=f"Front {number}?", back=f"Back {number}.")
    log_in(page, live_server, "keys")
    page.goto(f"{live_server.url}/study/")
    page.evaluate("window.__sameDocument = true")
    card = page.locator("#study-card")

    expect(ready(page)).to_have_count(1)
    expect(card).to_contain_text("Front 1?")
    page.keyboard.press("Space")
    expect(card).to_contain_text("Back 1.")
    expect(ready(page)).to_have_count(1)
    expect(card.locator(".grade__interval")).to_have_text(["1m", "6m", "10m", "8d"])
    page.keyboard.press("3")
    expect(card).to_contain_text("Front 2?")
    expect(page.locator("[data-study-live]")).to_have_text("Next card. 2 left.")
    expect(ready(page)).to_have_count(1)

    page.keyboard.press("u")  # the slip: take the Good on card 1 back
    expect(card).to_contain_text("Front 1?")
    expect(ready(page)).to_have_count(1)
    assert Review.objects.count() == 0

    page.keyboard.press("Space")
    expect(card).to_contain_text("Back 1.")
    expect(ready(page)).to_have_count(1)
    page.keyboard.press("1")
    for number in (2, 3):
        expect(card).to_contain_text(f"Front {number}?")
        expect(ready(page)).to_have_count(1)
        page.keyboard.press("Space")
        expect(card).to_contain_text(f"Back {number}.")
        expect(ready(page)).to_have_count(1)
        page.keyboard.press("3")

    expect(page.get_by_role("heading", name="Session done")).to_be_visible()
    expect(card.locator("progress")).to_have_attribute("value", "3")
    assert page.evaluate("window.__sameDocument === true")
    assert list(Review.objects.order_by("id").values_list("rating", flat=True)) == [1, 3, 3]
    assert PromptState.objects.filter(user=learner).count() == 3


def test_the_lesson_list_shows_mastery_change_after_studying(live_server, page):
    make_user(username="mastery")
    lesson = make_lesson(title="Encryption", slug="encryption")
    make_card(lesson=lesson, front="Only card?", back="Only answer.")
    log_in(page, live_server, "mastery")
    expect(page.get_by_text("0% known")).to_be_visible()
    page.goto(f"{live_server.url}/study/?scope=lesson:encryption")
    expect(ready(page)).to_have_count(1)
    page.keyboard.press("Space")
    expect(ready(page).locator(".grades")).to_have_count(1)
    page.keyboard.press("4")
    expect(page.get_by_role("heading", name="Session done")).to_be_visible()
    page.get_by_role("link", name="Back to the lessons").click()
    expect(page.get_by_text(re.compile(r"^100% known$"))).to_be_visible()
