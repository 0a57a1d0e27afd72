"""A week of simulated days with the bundled deck, through the real study views.

Issue 12's "Done means": a learner studies for seven days, each starting at 09:00 in their
time zone, answering every card the study page offers (GET /study/, the reveal or, for a
question, the check of its picks, then an htmx POST /study/grade/, each following the tokens
in the page it got) until the session's summary appears. Every page is checked against the
database for what the issue's Why list says must not happen (`PAGE_CHECKS`), and every day
once it is over (`DAY_CHECKS`). More checks join those lists: each receives the `Shown` page
or the `Day`, and asserts.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from flashcards.days import day_start, midnight
from flashcards.models import Prompt, PromptState, Review, StudySettings
from flashcards.scheduling import Memory
from flashcards.tokens import read_grade_token
from tests.conftest import table_statistics_refreshed

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ZONE = "Europe/Berlin"  # not UTC, so a day is the learner's and not the server's
FIRST_DAY = dt.date(2026, 3, 2)
DAYS = 7
READING = dt.timedelta(seconds=12)  # front shown to answer revealed
DECIDING = dt.timedelta(seconds=4)  # answer revealed to grade
PAGES_A_DAY = 2_000  # a session longer than this is stuck in a loop
CUSTOM_DAY = 3  # the day the learner takes back grades, then asks for more new cards
UNDONE = 3
MORE_NEW = 5
LEARNING = (PromptState.State.LEARNING, PromptState.State.RELEARNING)
AGAIN, GOOD = 1, 3
COUNTERS = re.compile(
    r"(\d+) done today · (\d+) left(?: \((\d+) new, (\d+) learning, (\d+) review\))?"
)


def rating_for(answer: int) -> int:
    """Deterministic and mostly Good: every sixth answer is Again."""
    return AGAIN if answer % 6 == 5 else GOOD


class Clock:
    """Server time for the views, moved by the test: `timezone.now` patched."""

    def __init__(self, monkeypatch, start: dt.datetime) -> None:
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, by: dt.timedelta) -> None:
        self.now += by


@dataclass(frozen=True)
class Counters:
    done: int
    left: int
    new: int = 0
    learning: int = 0
    review: int = 0


@dataclass
class Shown:
    """One study card fragment as the learner got it, and the moment they got it."""

    learner: object
    settings: StudySettings
    now: dt.datetime
    day: int
    html: str
    extra_new: int = 0  # new cards added today by custom study ("+N")

    @property
    def new_limit(self) -> int:
        return self.settings.new_per_day + self.extra_new

    def hidden(self, name: str) -> str | None:
        found = re.search(rf'name="{name}" value="([^"]*)"', self.html)
        return html.unescape(found[1]) if found else None

    @property
    def reveal_token(self) -> str | None:
        return self.hidden("reveal")

    @property
    def check_token(self) -> str | None:
        """A question's front: its picks are checked (POST) rather than its answer revealed."""
        return self.hidden("token") if 'action="/study/check/"' in self.html else None

    @property
    def grade_token(self) -> str | None:
        return self.hidden("token") if 'class="grades"' in self.html else None

    @property
    def prompt_id(self) -> int | None:
        """The card offered (front or answer side), read from the token the page signed."""
        token = self.reveal_token or self.check_token or self.grade_token
        if token is None:
            return None
        return read_grade_token(token, user_id=self.learner.pk).prompt_id

    @property
    def counters(self) -> Counters | None:
        found = COUNTERS.search(self.html)
        if found is None:
            return None
        return Counters(*(int(group) for group in found.groups() if group is not None))

    @property
    def is_summary(self) -> bool:
        return "<h2>Session done</h2>" in self.html

    @property
    def wait_seconds(self) -> int | None:
        found = re.search(r'data-study-wait="(\d+)"', self.html)
        return int(found[1]) if found else None

    @property
    def known(self) -> dict[str, int]:
        """The summary's "N% known", by lesson slug."""
        rows = re.findall(r'<li><a href="/lessons/([^/"]+)/">.*?(\d+)% known', self.html)
        return {slug: int(percent) for slug, percent in rows}


@dataclass
class Day:
    number: int  # 1 to DAYS
    start: dt.datetime
    learner: object
    settings: StudySettings
    schedule_at_start: dict[int, dt.datetime]  # each studied prompt's due when the day began
    unseen_at_start: int
    pages: list[Shown] = field(default_factory=list)
    extra_new: int = 0

    @property
    def new_limit(self) -> int:
        return self.settings.new_per_day + self.extra_new

    @property
    def came_due(self) -> set[int]:
        """Prompts studied on earlier days that fell due today: a review is due for its whole
        day, as in Anki, not only from the moment FSRS gave it."""
        ends = midnight(self.start.date() + dt.timedelta(days=1), ZONE)
        return {prompt for prompt, due in self.schedule_at_start.items() if due < ends}

    @property
    def graded(self) -> list[Review]:
        return list(
            Review.objects.filter(user=self.learner, reviewed_at__gte=self.start).order_by("pk")
        )


# What the database says the page should show ---------------------------------------------------


def today_start(shown: Shown) -> dt.datetime:
    return day_start(shown.now, shown.settings.time_zone)


def day_end(shown: Shown) -> dt.datetime:
    return today_start(shown) + dt.timedelta(days=1)  # Berlin has no clock change this week


def siblings_studied_today(shown: Shown) -> set[int]:
    """Prompts held back as siblings: another prompt of their card was graded today."""
    graded = Review.objects.filter(user=shown.learner, reviewed_at__gte=today_start(shown))
    cards = {}
    for prompt_id, card_id in graded.values_list("prompt_id", "prompt__card_id"):
        cards.setdefault(card_id, set()).add(prompt_id)
    held = set()
    for prompt_id, card_id in Prompt.objects.filter(card_id__in=cards).values_list("pk", "card_id"):
        if cards[card_id] - {prompt_id}:
            held.add(prompt_id)
    return held


def expected_counters(shown: Shown) -> Counters:
    """Counted here from the rows, not through the selectors the page uses: learning cards due
    within the learn-ahead limit, reviews due today, new cards within today's allowance; new
    and review siblings of a card graded today held back."""
    learner, settings, now = shown.learner, shown.settings, shown.now
    today = Review.objects.filter(user=learner, reviewed_at__gte=today_start(shown))
    started = today.filter(state_before__isnull=True).count()
    states = PromptState.objects.filter(user=learner)
    held = siblings_studied_today(shown)
    ahead = now + dt.timedelta(minutes=settings.learn_ahead_minutes)
    unseen = Prompt.objects.studyable().exclude(states__user=learner).exclude(pk__in=held)
    new = min(unseen.count(), max(0, shown.new_limit - started))
    learning = states.filter(state__in=LEARNING, due__lte=ahead).count()
    reviews = states.filter(state=PromptState.State.REVIEW, due__lt=day_end(shown))
    review = reviews.exclude(prompt_id__in=held).count()
    return Counters(today.count(), new + learning + review, new, learning, review)


def offerable(shown: Shown, prompt_id: int) -> bool:
    """May the session offer this prompt now: new within today's allowance, a review due
    today, or in learning and due within the learn-ahead limit; never a held-back sibling."""
    state = PromptState.objects.filter(user=shown.learner, prompt_id=prompt_id).first()
    if state is None:
        return expected_counters(shown).new > 0 and prompt_id not in siblings_studied_today(shown)
    if state.state in LEARNING:
        ahead = shown.now + dt.timedelta(minutes=shown.settings.learn_ahead_minutes)
        return state.due <= ahead
    return state.due < day_end(shown) and prompt_id not in siblings_studied_today(shown)


# Checks on every page --------------------------------------------------------------------------


def counters_agree_with_the_database(shown: Shown) -> None:
    counters = shown.counters
    if shown.prompt_id is not None or counters is not None:  # shown with a card, or once done
        assert counters == expected_counters(shown), shown.html


def only_cards_that_are_due_are_offered(shown: Shown) -> None:
    if shown.prompt_id is not None:
        assert offerable(shown, shown.prompt_id)


def the_session_ends_only_when_nothing_is_due_within_the_limit(shown: Shown) -> None:
    if shown.prompt_id is None and shown.wait_seconds is None:
        assert expected_counters(shown).left == 0, shown.html


def the_new_card_limit_holds(shown: Shown) -> None:
    started = Review.objects.filter(
        user=shown.learner, reviewed_at__gte=today_start(shown), state_before__isnull=True
    ).count()
    assert started <= shown.new_limit


PAGE_CHECKS: list[Callable[[Shown], None]] = [
    counters_agree_with_the_database,
    only_cards_that_are_due_are_offered,
    the_session_ends_only_when_nothing_is_due_within_the_limit,
    the_new_card_limit_holds,
]


# Checks on every day, once it is over ----------------------------------------------------------


def the_day_ends_with_the_summary(day: Day) -> None:
    assert day.pages[-1].is_summary
    assert day.pages[-1].wait_seconds is None


def cards_that_came_due_are_studied_that_day(day: Day) -> None:
    # Less siblings of a card graded today: they wait for tomorrow, and come due again then.
    held = siblings_studied_today(day.pages[-1])
    assert day.came_due - held <= {review.prompt_id for review in day.graded}


def known_is_well_below_full_after_the_first_day(day: Day) -> None:
    """One pass through new cards must not read as known. Recall now (about 100% for every
    card just studied) would read close to the share of the lesson's cards studied (it tripped
    this check when tried); "known" must stay below three quarters of that."""
    if day.number != 1:
        return
    known = day.pages[-1].known
    assert known
    for slug, percent in known.items():
        cards = Prompt.objects.live().filter(card__lesson__slug=slug)
        studied = cards.filter(states__user=day.learner).count()
        assert percent < 75 * studied / cards.count(), (slug, percent, studied)


def siblings_never_come_the_same_day(day: Day) -> None:
    """Once one prompt of a card was graded today, another of its prompts is graded today only
    if it was in learning already (Anki serves learning siblings)."""
    first_prompt_of_card: dict[int, int] = {}
    for review in day.graded:
        card = Prompt.objects.get(pk=review.prompt_id).card_id
        first = first_prompt_of_card.setdefault(card, review.prompt_id)
        if first != review.prompt_id:
            assert review.state_before in LEARNING, (card, review.prompt_id)


def todays_new_cards_are_all_offered_or_held_back_as_siblings(day: Day) -> None:
    started = [review for review in day.graded if review.state_before is None]
    if len(started) < min(day.new_limit, day.unseen_at_start):
        # Fewer only when every unseen prompt left is a sibling of one studied today.
        shown = day.pages[-1]
        unseen = Prompt.objects.studyable().exclude(states__user=day.learner)
        assert set(unseen.values_list("pk", flat=True)) <= siblings_studied_today(shown)


DAY_CHECKS: list[Callable[[Day], None]] = [
    the_day_ends_with_the_summary,
    todays_new_cards_are_all_offered_or_held_back_as_siblings,
    cards_that_came_due_are_studied_that_day,
    known_is_well_below_full_after_the_first_day,
    siblings_never_come_the_same_day,
]


# Studying --------------------------------------------------------------------------------------


def stored_progress(learner) -> tuple[dict, list]:
    """Every state (its memory) and review of the learner, as stored."""
    states = PromptState.objects.filter(user=learner)
    reviews = Review.objects.filter(user=learner).order_by("pk")
    return (
        {state.prompt_id: Memory.from_row(state) for state in states},
        list(reviews.values_list("pk", "prompt_id", "rating")),
    )


UNDO_FORM = re.compile(r'<form class="undo".*?name="token" value="([^"]*)"', re.DOTALL)


def study_one_day(
    client, clock: Clock, day: Day, answers: itertools.count, undo_after: int | None = None
) -> None:
    """Open /study/ and answer every card offered until the summary, following the page's
    own tokens; when it waits for a learning card, come back when it says (as htmx does).

    `undo_after`: once that many grades are given, give UNDONE more, then press Undo UNDONE
    times: each must restore the states and the log exactly as they were before its grade.
    """

    def seen(response) -> Shown:
        assert response.status_code == 200
        shown = Shown(
            day.learner,
            day.settings,
            clock.now,
            day.number,
            response.content.decode(),
            extra_new=day.extra_new,
        )
        for check in PAGE_CHECKS:
            check(shown)
        day.pages.append(shown)
        return shown

    shown = seen(client.get("/study/"))
    before_grades = []  # the stored progress before each grade of this call
    for _ in range(PAGES_A_DAY):
        if undo_after is not None and len(before_grades) == undo_after + UNDONE:
            for back in range(1, UNDONE + 1):
                token = html.unescape(UNDO_FORM.search(shown.html)[1])
                form = {"token": token, "scope": "all"}
                shown = seen(client.post("/study/undo/", form, **HTMX))
                assert stored_progress(day.learner) == before_grades[-back], back
            undo_after = None
        if shown.reveal_token:
            clock.advance(READING)
            shown = seen(client.get("/study/", {"reveal": shown.reveal_token}, **HTMX))
        elif shown.check_token:
            clock.advance(READING)
            form = {"token": shown.check_token, "pick": "A", "scope": "all"}
            shown = seen(client.post("/study/check/", form, **HTMX))
        elif shown.grade_token:
            clock.advance(DECIDING)
            rating = rating_for(next(answers))
            form = {"token": shown.grade_token, "rating": rating, "scope": "all"}
            before_grades.append(stored_progress(day.learner))
            shown = seen(client.post("/study/grade/", form, **HTMX))
        elif shown.wait_seconds:
            clock.advance(dt.timedelta(seconds=shown.wait_seconds))
            shown = seen(client.get("/study/", **HTMX))
        else:
            assert undo_after is None, "the session ended before the grades were undone"
            return
    pytest.fail(f"Day {day.number} did not end after {PAGES_A_DAY} pages.")


def test_a_week_with_the_bundled_deck_meets_none_of_the_problems(
    bundled_content, client, learner, monkeypatch
):
    settings = StudySettings.objects.create(user=learner, time_zone=ZONE)
    clock = Clock(monkeypatch, midnight(FIRST_DAY, ZONE))
    client.force_login(learner)
    answers = itertools.count()
    days = []
    for number in range(1, DAYS + 1):
        start = midnight(FIRST_DAY + dt.timedelta(days=number - 1), ZONE)
        clock.now = start + dt.timedelta(hours=9)
        table_statistics_refreshed()
        day = Day(
            number=number,
            start=start,
            learner=learner,
            settings=settings,
            schedule_at_start=dict(
                PromptState.objects.filter(user=learner).values_list("prompt_id", "due")
            ),
            unseen_at_start=Prompt.objects.studyable().exclude(states__user=learner).count(),
        )
        study_one_day(client, clock, day, answers, undo_after=10 if number == CUSTOM_DAY else None)
        if number == CUSTOM_DAY:
            # The dead end after today's new cards offers more, right there; take +5.
            assert 'name="more_new"' in day.pages[-1].html
            form = {"scope": "all", "count": MORE_NEW, "more_new": ""}
            assert client.post("/study/custom/", form).status_code == 303
            day.extra_new = MORE_NEW
            study_one_day(client, clock, day, answers)
        for check in DAY_CHECKS:
            check(day)
        days.append(day)

    # Not vacuous: the first day's new cards ended at the limit, not with the deck; cards
    # came back within a day's session (learning steps) and on later days; some were
    # forgotten.
    assert days[0].unseen_at_start > settings.new_per_day
    assert any(len(day.graded) > len({r.prompt_id for r in day.graded}) for day in days)
    assert all(day.came_due for day in days[1:])
    assert Review.objects.filter(user=learner, rating=AGAIN).exists()
    custom_day = days[CUSTOM_DAY - 1]
    started = sum(review.state_before is None for review in custom_day.graded)
    assert started > settings.new_per_day  # the five more were studied
