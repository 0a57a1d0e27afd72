"""Studying in a real browser, by keyboard alone, without a page load."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from flashcards.models import FsrsFit, PromptMark, PromptState, Review, StudySettings
from flashcards.personal_fsrs import fit_run
from tests.browser.conftest import log_in, new_page
from tests.conftest import make_card, make_lesson, make_user
from tests.flashcards.conftest import simulated_log


class ServerClock:
    """The live server's clock, which runs on in real time from where it was last moved."""

    def __init__(self, monkeypatch) -> None:
        self._real_now = timezone.now
        self._offset = dt.timedelta(0)
        monkeypatch.setattr(timezone, "now", lambda: self._real_now() + self._offset)

    def move_to(self, moment: dt.datetime) -> None:
        self._offset = moment - self._real_now()


@pytest.fixture
def server_clock(monkeypatch) -> ServerClock:
    """The server runs in this process: its clock is moved by patching timezone.now. It starts
    at noon today, so that a session's "today" cannot roll over midnight halfway, nor a card
    due in ten minutes fall due tomorrow (the page waits only for cards due today)."""
    clock = ServerClock(monkeypatch)
    clock.move_to(timezone.now().replace(hour=12, minute=0, second=0, microsecond=0))
    return clock


pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def ready(page):
    """The card htmx has processed (keys are ignored until then)."""
    return page.locator("#study-card[data-ready]")


def test_three_cards_by_keyboard_space_3_u_1_without_a_page_load(live_server, page):
    learner = make_user(username="keys")
    # No learn-ahead: the cards graded stay away for the rest of this test.
    StudySettings.objects.create(user=learner, learn_ahead_minutes=0)
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
    # Known: expected recall 30 days on. One Easy grade today is well above nothing, and (as
    # FSRS predicts forgetting) below certain.
    expect(page.get_by_text(re.compile(r"^[1-9][0-9]?% known$"))).to_be_visible()


def test_a_whole_session_by_keyboard_with_learning_cards_coming_back_in_the_session(
    live_server, page, server_clock
):
    learner = make_user(username="session")
    lesson = make_lesson()
    for name in ("A", "B"):
        make_card(lesson=lesson, front=f"Front {name}?", back=f"Back {name}.")
    log_in(page, live_server, "session")
    page.goto(f"{live_server.url}/study/")
    page.evaluate("window.__sameDocument = true")
    card = page.locator("#study-card")
    counts = card.locator("[data-study-counts]")

    # A new, B new; then each comes back from learning within the learn-ahead limit (A: Again
    # 1m, then Good 10m, then graduates; B: Good 10m, then graduates). Space on the answer
    # side is Good; so is Enter.
    steps = [
        ("A", "1", "0 done today · 2 left (2 new, 0 learning, 0 review)"),
        ("B", "Space", "1 done today · 2 left (1 new, 1 learning, 0 review)"),
        ("A", "3", "2 done today · 2 left (0 new, 2 learning, 0 review)"),
        ("B", "Enter", "3 done today · 2 left (0 new, 2 learning, 0 review)"),
        ("A", "4", "4 done today · 1 left (0 new, 1 learning, 0 review)"),
    ]
    for name, key, counted in steps:
        expect(card).to_contain_text(f"Front {name}?")
        expect(counts).to_have_text(counted)
        expect(ready(page)).to_have_count(1)
        page.keyboard.press("Space")
        expect(card).to_contain_text(f"Back {name}.")
        expect(ready(page)).to_have_count(1)
        page.keyboard.press(key)

    expect(page.get_by_role("heading", name="Session done")).to_be_visible()
    expect(counts).to_have_text("5 done today · 0 left")
    assert page.evaluate("window.__sameDocument === true")
    ratings = Review.objects.filter(user=learner).order_by("id").values_list("rating", flat=True)
    assert list(ratings) == [1, 3, 3, 3, 4]
    assert set(PromptState.objects.filter(user=learner).values_list("state", flat=True)) == {
        PromptState.State.REVIEW
    }


def test_a_card_beyond_the_learn_ahead_limit_comes_in_by_itself_when_due(
    live_server, page, server_clock
):
    learner = make_user(username="waiting")
    StudySettings.objects.create(user=learner, learn_ahead_minutes=0)
    make_card(front="Coming back?", back="Soon.")
    log_in(page, live_server, "waiting")
    page.goto(f"{live_server.url}/study/")
    page.evaluate("window.__sameDocument = true")
    card = page.locator("#study-card")
    expect(ready(page)).to_have_count(1)
    page.keyboard.press("Space")
    expect(ready(page).locator(".grades")).to_have_count(1)
    page.keyboard.press("3")  # Good: back in ten minutes
    expect(page.get_by_role("heading", name="Session done")).to_be_visible()
    expect(card).to_contain_text("it will appear here by itself")

    # Move the clock to three seconds before the card is due, and check again: the page then
    # waits those seconds and asks for the card by itself.
    due = PromptState.objects.get(user=learner).due
    server_clock.move_to(due - dt.timedelta(seconds=3))
    page.get_by_role("link", name="Check again").click()
    waiting = card.locator("[data-study-wait]")
    expect(waiting).to_have_attribute("data-study-wait", re.compile(r"^[2-5]$"))
    expect(card).to_contain_text("Coming back?", timeout=15_000)
    assert page.evaluate("window.__sameDocument === true")


def test_a_grade_from_a_stale_tab_says_so_and_shows_the_current_card(live_server, page):
    learner = make_user(username="tabs")
    lesson = make_lesson()
    for name in ("A", "B"):
        make_card(lesson=lesson, front=f"Front {name}?", back=f"Back {name}.")
    log_in(page, live_server, "tabs")
    other = page.context.new_page()
    for tab in (page, other):
        tab.goto(f"{live_server.url}/study/")
        expect(ready(tab)).to_have_count(1)
        tab.keyboard.press("Space")
        expect(ready(tab).locator(".grades")).to_have_count(1)
    other.keyboard.press("3")
    expect(other.locator("#study-card")).to_contain_text("Front B?")

    page.keyboard.press("3")  # the stale tab, still on card A
    card = page.locator("#study-card")
    expect(card.get_by_role("status")).to_contain_text(
        "This card was already graded in another tab"
    )
    expect(card).to_contain_text("Front B?")
    assert Review.objects.filter(user=learner).count() == 1


# Phones ------------------------------------------------------------------------------------------

PHONE = {"width": 375, "height": 667}
LAST_LINE = "The last line of the answer."
LONG_BACK = "\n\n".join(
    [f"Paragraph {number} of a long answer, long enough to fill a phone." for number in range(40)]
    + [LAST_LINE]
)
# An element's box, and the viewport's size, in CSS pixels.
BOX = """el => {
  const r = el.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height,
          width: window.innerWidth, viewport: window.innerHeight};
}"""
# Whether the middle of an element is what a tap there would hit (nothing drawn over it).
UNCOVERED = """el => {
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return el.contains(hit);
}"""


def assert_in_thumb_reach(button) -> None:
    """Wholly inside the viewport, and at least 44 px tall (WCAG 2.5.5's touch target)."""
    box = button.evaluate(BOX)
    assert box["top"] >= 0 and box["bottom"] <= box["viewport"], box
    assert box["left"] >= 0 and box["right"] <= box["width"], box
    assert box["height"] >= 44, box


@pytest.mark.parametrize("back", ["Short back.", LONG_BACK], ids=["short card", "long card"])
def test_on_a_phone_the_buttons_are_in_the_viewport_without_scrolling(live_server, browser, back):
    make_user(username="phone")
    make_card(front="Phone front?", back=back)
    with new_page(browser, viewport=PHONE) as page:
        log_in(page, live_server, "phone")
        page.goto(f"{live_server.url}/study/")
        expect(ready(page)).to_have_count(1)
        show = page.get_by_role("button", name=re.compile(r"^Show answer"))
        assert_in_thumb_reach(show)
        show.click()
        grades = ready(page).locator(".grade")
        expect(grades).to_have_count(4)
        for button in grades.all():
            assert_in_thumb_reach(button)

        # Scrolled to the end of the page the bar is still there, and nothing hides behind it:
        # neither the answer's last line nor the page's own end.
        page.evaluate(
            "window.scrollTo({top: document.documentElement.scrollHeight, behavior: 'instant'})"
        )
        for button in grades.all():
            assert_in_thumb_reach(button)
        bar_top = page.locator(".grades").evaluate(BOX)["top"]
        line = page.get_by_text(back.rsplit("\n\n", 1)[-1])
        assert line.evaluate(BOX)["bottom"] <= bar_top
        assert line.evaluate(UNCOVERED)
        footer = page.locator(".site-footer p")
        assert footer.evaluate(BOX)["bottom"] <= bar_top
        assert footer.evaluate(UNCOVERED)
        if back == LONG_BACK:
            # The answer is longer than the screen; scrolled to just its last line, that line
            # shows above the bar (the page's scroll padding), not under it.
            assert page.locator(".flashcard").evaluate(BOX)["height"] > PHONE["height"]
            page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
            line.evaluate("el => el.scrollIntoView({block: 'end', behavior: 'instant'})")
            assert line.evaluate(BOX)["top"] >= 0
            assert line.evaluate(BOX)["bottom"] <= bar_top
            assert line.evaluate(UNCOVERED)

        # Wider than 600 px, the buttons go back under the card, and the page loses its padding.
        page.set_viewport_size({"width": 601, "height": 667})
        assert page.locator(".grades").evaluate("el => getComputedStyle(el).position") == "static"
        assert page.evaluate("getComputedStyle(document.body).paddingBottom") == "0px"


def test_space_and_enter_on_the_answer_side_grade_good(live_server, page):
    make_user(username="space")
    lesson = make_lesson()
    for number in (1, 2, 3, 4):
        make_card(lesson=lesson, front=f"Front {number}?", back=f"Back {number}.")
    log_in(page, live_server, "space")
    page.goto(f"{live_server.url}/study/")
    card = page.locator("#study-card")

    def show_answer(number):
        expect(card).to_contain_text(f"Front {number}?")
        expect(ready(page)).to_have_count(1)
        page.keyboard.press("Space")
        expect(card).to_contain_text(f"Back {number}.")
        expect(ready(page)).to_have_count(1)

    show_answer(1)
    page.keyboard.press("Space")  # Good
    show_answer(2)
    page.keyboard.press("Enter")  # Good
    show_answer(3)
    # Space on a focused button presses that button, not Good.
    card.get_by_role("button", name=re.compile(r"^Hard")).focus()
    page.keyboard.press("Space")
    expect(card).to_contain_text("Front 4?")
    expect(ready(page)).to_have_count(1)

    # Holding Space down shows the answer, and the key's repeats do not go on to grade it.
    page.keyboard.down("Space")
    expect(card).to_contain_text("Back 4.")
    expect(ready(page)).to_have_count(1)
    page.evaluate(
        "window.__clicks = 0;"
        "document.addEventListener('click', () => window.__clicks++, {capture: true})"
    )
    page.keyboard.down("Space")  # a repeat
    page.keyboard.up("Space")
    # Space in a form field types a space.
    search = page.get_by_role("searchbox")
    search.focus()
    page.keyboard.press("Space")
    expect(search).to_have_value(" ")
    assert page.evaluate("window.__clicks") == 0
    assert list(Review.objects.order_by("id").values_list("rating", flat=True)) == [3, 3, 2]


def test_on_a_phone_with_a_home_indicator_the_buttons_keep_above_it(live_server, browser):
    """The bar reaches the screen's edge, its buttons stop short of the home indicator's safe
    area (env(safe-area-inset-bottom), here 34 px as on an iPhone), and the page's padding grows
    to match."""
    make_user(username="notch")
    make_card(front="Notch front?", back=LONG_BACK)
    with new_page(browser, viewport=PHONE) as page:
        page.context.new_cdp_session(page).send(
            "Emulation.setSafeAreaInsetsOverride", {"insets": {"bottom": 34}}
        )
        log_in(page, live_server, "notch")
        page.goto(f"{live_server.url}/study/")
        expect(ready(page)).to_have_count(1)
        page.get_by_role("button", name=re.compile(r"^Show answer")).click()
        grades = ready(page).locator(".grade")
        expect(grades).to_have_count(4)
        assert page.locator(".grades").evaluate(BOX)["bottom"] == PHONE["height"]
        for button in grades.all():
            assert_in_thumb_reach(button)
            assert button.evaluate(BOX)["bottom"] <= PHONE["height"] - 34
        page.evaluate(
            "window.scrollTo({top: document.documentElement.scrollHeight, behavior: 'instant'})"
        )
        line = page.get_by_text(LAST_LINE)
        assert line.evaluate(BOX)["bottom"] <= page.locator(".grades").evaluate(BOX)["top"]
        assert line.evaluate(UNCOVERED)


def test_a_waiting_fsrs_fit_shows_its_figures_when_done_without_a_reload(live_server, page):
    learner = make_user(username="fitter")
    simulated_log(learner, cards=60, days=150)
    job = FsrsFit.objects.create(user=learner, requested_at=timezone.now(), review_count=5000)
    log_in(page, live_server, "fitter")
    page.goto(f"{live_server.url}/study/settings/")
    page.evaluate("window.__sameDocument = true")
    panel = page.locator("#personal-fsrs")
    expect(panel).to_contain_text("Waiting to start")

    fit_run(job=job)  # what `manage.py fit_fsrs --queued` does

    # The panel polls every 3 seconds while a fit waits or runs.
    expect(panel.get_by_role("table").first).to_contain_text("Fitted to you", timeout=10_000)
    expect(panel).to_contain_text(f"{FsrsFit.objects.get().fitted_log_loss:.4f}")
    assert page.evaluate("window.__sameDocument") is True


def test_siblings_are_held_back_for_the_rest_of_the_day(live_server, page, server_clock):
    learner = make_user(username="siblings")
    StudySettings.objects.create(user=learner, learn_ahead_minutes=0)
    lesson = make_lesson()
    make_card(lesson=lesson, kind="reversed", front="Multi-AZ", back="A standby in another AZ")
    make_card(lesson=lesson, kind="cloze", front="{{c1::Aurora}} keeps {{c2::six}} copies.")
    log_in(page, live_server, "siblings")
    page.goto(f"{live_server.url}/study/")
    card = page.locator("#study-card")
    for done in range(2):  # one prompt of each card, each graded Easy (days away)
        expect(card.locator("progress")).to_have_attribute("value", str(done))
        expect(ready(page)).to_have_count(1)
        page.keyboard.press("Space")
        expect(ready(page).locator(".grades")).to_have_count(1)
        page.keyboard.press("4")

    expect(page.get_by_role("heading", name="Session done")).to_be_visible()
    expect(card.locator("progress")).to_have_attribute("value", "2")
    studied = Review.objects.filter(user=learner).values_list("prompt__card_id", flat=True)
    assert len(set(studied)) == 2  # never both prompts of one card

    server_clock.move_to(timezone.now() + dt.timedelta(days=1))  # the next learner day
    page.goto(f"{live_server.url}/study/")
    expect(ready(page)).to_have_count(1)
    expect(card).to_contain_text("2 left")


def test_custom_study_from_a_dead_end_takes_five_more_new_cards(live_server, page, server_clock):
    learner = make_user(username="deadend")
    StudySettings.objects.create(user=learner, new_per_day=1, learn_ahead_minutes=0)
    lesson = make_lesson(slug="deadend")
    for number in range(1, 8):
        make_card(lesson=lesson, front=f"Front {number}?", back=f"Back {number}.")
    log_in(page, live_server, "deadend")
    page.goto(f"{live_server.url}/lessons/deadend/")
    page.get_by_role("link", name=re.compile(r"^Study this lesson")).click()
    card = page.locator("#study-card")
    expect(ready(page)).to_have_count(1)
    page.keyboard.press("Space")
    expect(card).to_contain_text("Back 1.")
    expect(ready(page)).to_have_count(1)
    page.keyboard.press("3")

    # Today's one new card is done: the page says so and offers more, right there.
    expect(page.get_by_role("heading", name="Session done")).to_be_visible()
    expect(card).to_contain_text("You have started today's new cards")
    page.get_by_label("More new cards today").fill("5")
    page.get_by_role("button", name="Study more new cards").click()

    expect(card).to_contain_text("Front 2?")
    expect(card.locator("[data-study-counts]")).to_contain_text("(5 new, 0 learning, 0 review)")
    expect(ready(page)).to_have_count(1)
    page.keyboard.press("Space")
    expect(card).to_contain_text("Back 2.")
    expect(ready(page)).to_have_count(1)
    page.keyboard.press("3")
    expect(card).to_contain_text("Front 3?")
    assert Review.objects.filter(user=learner).count() == 2


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1280 px", "375 px"])
def test_card_actions_by_key_flag_bury_suspend_then_undo_each_in_order(
    live_server, browser, viewport
):
    make_user(username="actions")
    lesson = make_lesson()
    for number in (1, 2, 3):
        make_card(lesson=lesson, front=f"Front {number}?", back=f"Back {number}.")
    options = {"viewport": viewport} if viewport else {}
    with new_page(browser, **options) as page:
        log_in(page, live_server, "actions")
        page.goto(f"{live_server.url}/study/")
        page.evaluate("window.__sameDocument = true")
        card = page.locator("#study-card")
        notice = card.locator("[role=status]")
        badge = card.locator(".badge--flag")

        def press(key: str, then_notice: str, front: int) -> None:
            expect(ready(page)).to_have_count(1)
            page.keyboard.press(key)
            expect(notice).to_have_text(re.compile(re.escape(then_notice)))
            expect(card).to_contain_text(f"Front {front}?")

        expect(card).to_contain_text("Front 1?")
        press("Control+1", "Card flagged red. Undo (U)", 1)
        expect(badge).to_have_text("Red flag")
        press("Control+1", "Flag removed.", 1)  # the same colour again clears it, as in Anki
        expect(badge).to_have_count(0)
        press("Control+3", "Card flagged green.", 1)
        expect(badge).to_have_text("Green flag")
        press("-", "Card buried until tomorrow. Undo (U)", 2)
        press("Shift+Digit1", "Card suspended", 3)  # "!"
        expect(card.locator("[data-study-counts]")).to_contain_text("1 left")

        # Undo walks back through all five, newest first, each card shown again.
        press("u", "Suspend undone", 2)
        press("u", "Bury undone", 1)
        expect(badge).to_have_text("Green flag")
        press("u", "Flag change undone.", 1)
        expect(badge).to_have_count(0)
        press("u", "Flag change undone.", 1)
        expect(badge).to_have_text("Red flag")
        press("u", "Flag change undone.", 1)
        expect(badge).to_have_count(0)
        expect(card.locator(".undo")).to_have_count(0)
        assert not PromptMark.objects.exists()
        assert page.evaluate("window.__sameDocument") is True  # no page load, all htmx
