"""A practice test in a real browser: three questions answered by keyboard and mouse, one
flagged, back to an earlier one through the map, reviewed, submitted, the result read and the
missed questions sent to the study queue; with htmx swapping the question, and again with
JavaScript off (plain form posts)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from flashcards.models import ManualChange, PromptState
from practice.models import Attempt
from tests.browser.conftest import log_in, new_page
from tests.conftest import grade_now, make_user
from tests.practice.conftest import three_option_questions

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no JavaScript"])
def test_a_learner_takes_a_three_question_test(live_server, browser, javascript):
    learner = make_user(username="taker")
    prompts = three_option_questions(3, slug="practice", title="Practice questions")
    # Every question studied before, so each one missed can be made due now.
    for prompt in prompts:
        grade_now(learner, prompt, 3, timezone.now() - dt.timedelta(days=3))
    with new_page(browser, java_script_enabled=javascript) as page:
        log_in(page, live_server, "taker")
        page.goto(f"{live_server.url}/lessons/practice/")
        page.get_by_role("link", name=re.compile(r"^Practice test")).click()
        page.get_by_label("Number of questions").fill("3")
        page.get_by_role("button", name="Start the test").click()
        question = page.locator("#practice-question")
        expect(question).to_contain_text("Question 1 of 3")
        if javascript:
            page.evaluate("window.__sameDocument = true")

        # 1: the right option (B), by mouse, flagged for review.
        page.get_by_text("Option B of question").click()
        page.get_by_label("Flag for review").check()
        page.get_by_role("button", name="Next").click()
        expect(question).to_contain_text("Question 2 of 3")
        # htmx swaps, then settles: keys pressed before it has settled can reach the old form.
        expect(question).not_to_have_class(re.compile(r"htmx-(swapping|settling)"))
        # 2: a wrong one by keyboard: focus the first option, arrow to the next (B), then on to
        # A by arrowing back, and Enter on Next. Each key waits for the one before to land.
        page.locator("#pick-A").focus()
        expect(page.locator("#pick-A")).to_be_focused()
        page.keyboard.press("ArrowDown")
        expect(page.locator("#pick-B")).to_be_checked()
        page.keyboard.press("ArrowUp")
        expect(page.locator("#pick-A")).to_be_checked()
        page.get_by_role("button", name="Next").focus()
        page.keyboard.press("Enter")
        expect(question).to_contain_text("Question 3 of 3")
        # 3 left unanswered; back to 1 through the map: its pick and flag were kept.
        page.get_by_role("button", name="Question 1, answered, flagged").click()
        expect(question).to_contain_text("Question 1 of 3")
        expect(page.locator("#pick-B")).to_be_checked()
        expect(page.get_by_label("Flag for review")).to_be_checked()
        expect(page.get_by_role("button", name="Previous")).to_have_count(0)
        if javascript:
            # Every move so far swapped the question in place: no page load.
            assert page.evaluate("window.__sameDocument") is True
            expect(page).to_have_url(re.compile(r"/practice/\d+/1/$"))

        page.get_by_role("button", name="Review and submit").click()
        expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
        expect(page.locator("main")).to_contain_text("1 unanswered, 1 flagged")
        page.get_by_role("button", name="Submit the test").click()

        expect(page.locator(".practice-score")).to_have_text("1 of 3 right (33%)")
        expect(page.get_by_role("row", name=re.compile(r"Practice questions"))).to_contain_text(
            "1/3"
        )
        expect(page.locator(".practice-verdict__why")).to_have_count(9)
        page.get_by_role("button", name="Add the 2 I missed to my study queue now").click()
        expect(page.locator(".messages")).to_have_text("2 questions due now in your study queue.")

    attempt = Attempt.objects.get(user=learner)
    assert attempt.is_submitted and attempt.right_count == 1
    missed = attempt.questions.filter(is_right=False).values_list("prompt_id", flat=True)
    assert set(ManualChange.objects.values_list("prompt_id", flat=True)) == set(missed)
    assert all(
        state.due <= timezone.now()
        for state in PromptState.objects.filter(user=learner, prompt_id__in=missed)
    )
