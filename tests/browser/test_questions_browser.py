"""Answering questions in a study session in Chromium: a single- and a multiple-answer
question, by keyboard and by mouse, at phone and desktop width, and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from flashcards.models import Review, StudySettings
from practice.models import Answer
from tests.browser.conftest import log_in, new_page
from tests.conftest import make_lesson, make_user
from tests.flashcards.conftest import ONE_RIGHT, TWO_RIGHT, make_questions

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = [pytest.param(375, id="375px"), pytest.param(1280, id="1280px")]


def two_questions(username: str):
    learner = make_user(username=username)
    # No learn-ahead: a question graded Again stays away for the rest of the test.
    StudySettings.objects.create(user=learner, learn_ahead_minutes=0)
    lesson = make_lesson(slug=f"q-{username}", body="## Snapshots\n\ntext\n")
    return make_questions(ONE_RIGHT + "\n" + TWO_RIGHT, lesson=lesson)


def ready(page):
    return page.locator("#study-card[data-ready]")


@pytest.mark.parametrize("width", WIDTHS)
def test_two_questions_answered_by_keyboard(live_server, browser, width):
    two_questions(f"keys{width}")
    with new_page(browser, viewport={"width": width, "height": 800}) as page:
        log_in(page, live_server, f"keys{width}")
        page.goto(f"{live_server.url}/study/")
        page.evaluate("window.__sameDocument = true")
        card = page.locator("#study-card")
        expect(ready(page)).to_have_count(1)
        expect(card).to_contain_text("Which gets its rows back?")
        expect(card.locator(".answer-sheet")).to_have_count(0)

        page.keyboard.press("b")
        expect(card.locator('input[value="B"]')).to_be_checked()
        page.keyboard.press("Enter")
        expect(card.locator(".question-result")).to_have_text("Right.")
        expect(card.locator(".grades__proposed")).to_contain_text("Proposed: Good.")
        expect(card.locator("[data-proposed]")).to_be_focused()
        expect(page.locator("[data-study-live]")).to_contain_text("Proposed grade: Good.")
        page.keyboard.press("Enter")  # takes the grade proposed

        expect(card).to_contain_text("Which two keep a copy past 35 days?")
        expect(card).to_contain_text("Choose two.")
        expect(ready(page)).to_have_count(1)
        for key in ("1", "2", "2"):  # A, then B on and off again
            page.keyboard.press(key)
        expect(card.locator('input[value="A"]')).to_be_checked()
        expect(card.locator('input[value="B"]')).not_to_be_checked()
        page.keyboard.press("Enter")
        expect(card.locator(".question-result")).to_have_text("Not right: the answer is A and C.")
        expect(card.locator(".grades__proposed")).to_contain_text("Proposed: Again — you missed C.")
        expect(card.locator(".option-picked")).to_have_count(1)
        # Keys wait for htmx to have processed the card, which then focuses the proposed grade.
        expect(card.locator("[data-proposed]")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Session done")).to_be_visible()
        assert page.evaluate("window.__sameDocument === true")
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    assert list(Review.objects.order_by("id").values_list("rating", flat=True)) == [3, 1]
    assert list(Answer.objects.order_by("id").values_list("chosen", "is_right")) == [
        ("B", True),
        ("A", False),
    ]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("javascript", [True, False], ids=["mouse", "no-js"])
def test_two_questions_answered_by_mouse(live_server, browser, width, javascript):
    username = f"mouse{width}{javascript}"
    two_questions(username)
    with new_page(
        browser, viewport={"width": width, "height": 800}, java_script_enabled=javascript
    ) as page:
        log_in(page, live_server, username)
        page.goto(f"{live_server.url}/study/")
        card = page.locator("#study-card")
        if javascript:
            expect(ready(page)).to_have_count(1)
        card.get_by_text("Restore to a point in time just before the drop.").click()
        card.get_by_role("button", name="Check").click()
        expect(card.locator(".question-result")).to_have_text("Right.")
        expect(card).to_contain_text("Point-in-time recovery restores to any second")
        expect(card.get_by_role("link", name="Read this in the lesson")).to_be_visible()
        card.locator("[data-proposed]").click()

        expect(card).to_contain_text("Choose two.")
        if javascript:
            expect(ready(page)).to_have_count(1)
        card.get_by_text("A manual snapshot.").click()
        card.get_by_text("AWS Backup with a long retention.").click()
        card.get_by_role("button", name="Check").click()
        expect(card.locator(".question-result")).to_have_text("Right.")
        expect(card.locator(".option-picked")).to_have_count(2)
        # Another grade than the one proposed.
        card.get_by_role("button", name="Hard").click()
        expect(page.get_by_role("heading", name="Session done")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    assert list(Review.objects.order_by("id").values_list("rating", flat=True)) == [3, 2]
    assert list(Answer.objects.order_by("id").values_list("chosen", flat=True)) == ["B", "AC"]
