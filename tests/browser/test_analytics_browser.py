"""An instructor finds who is behind: from the admin to the roster, sorted, to one learner."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.analytics.conftest import log
from tests.browser.conftest import log_in, new_page
from tests.conftest import make_card, make_lesson, make_user
from tests.practice.conftest import four_option_questions, studied_answer

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


@pytest.mark.parametrize("width", [1280, 375])
def test_an_instructor_finds_the_hardest_question_and_its_unpicked_distractor(
    live_server, browser, instructor, width
):
    lesson = make_lesson(title="Restore paths", slug="restore-paths")
    easy, hard = four_option_questions(
        2, lesson=lesson, stems=("Which path is easy?", "Which path is hard?")
    )
    learner = make_user(username="answering-learner")
    for prompt, letters in ((easy, "B" * 20), (hard, "A" * 14 + "B" * 5 + "C")):
        for letter in letters:
            studied_answer(learner, prompt, letter)
    with new_page(browser, viewport={"width": width, "height": 900}) as page:
        log_in(page, live_server, "instructor")
        page.goto(f"{live_server.url}/admin/")
        page.locator("#analytics-module").get_by_role("link", name="Exam-style questions").click()
        expect(page.get_by_role("heading", name="Questions", level=1)).to_be_visible()
        stems = page.locator(".question-figures tbody th")
        expect(stems).to_have_text(["Which path is hard?", "Which path is easy?"])
        hard_row = page.locator(".question-figures tbody tr").first
        expect(hard_row.locator(".question-options__flag")).to_have_count(1)  # D: nobody
        expect(hard_row.locator("li").nth(3)).to_contain_text("Nobody picks this: rewrite it.")
        page.get_by_role("link", name="Wrong, at least").click()  # the easiest first
        expect(stems).to_have_text(["Which path is easy?", "Which path is hard?"])
        expect(page.locator("body")).not_to_contain_text("answering-learner")
        page.get_by_role("link", name=f"Edit question {hard.card_id}").click()
        page.get_by_role("link", name="Its answers and pick rates").click()
        expect(stems).to_have_text(["Which path is hard?"])
