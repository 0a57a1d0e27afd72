"""Progress reads from a known review log, with a fixed clock."""

from __future__ import annotations

import datetime as dt

import pytest

from flashcards.models import Prompt, PromptState, Review
from progress import selectors
from tests.conftest import make_card, make_lesson

pytestmark = pytest.mark.django_db

AUCKLAND = "Pacific/Auckland"  # UTC+13 in March (daylight saving)
UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def log(user, prompt, rating, when, *, interval=None, state_before=PromptState.State.REVIEW):
    return Review.objects.create(
        user=user,
        prompt=prompt,
        rating=rating,
        reviewed_at=when,
        interval_days=interval,
        state_before=state_before,
        state_after=2,
        after={},
    )


def test_reviews_are_counted_on_the_learners_own_days(learner):
    prompt = make_card().prompts.get()
    log(learner, prompt, 3, at("2026-03-01T10:30:00"))  # 23:30 on 1 March in Auckland
    log(learner, prompt, 3, at("2026-03-01T11:30:00"))  # 00:30 on 2 March in Auckland
    log(learner, prompt, 3, at("2026-03-05T12:00:00"))  # outside the range asked for
    first, last = dt.date(2026, 2, 28), dt.date(2026, 3, 4)

    assert selectors.reviews_per_day(learner, AUCKLAND, first, last) == {
        dt.date(2026, 3, 1): 1,
        dt.date(2026, 3, 2): 1,
    }
    assert selectors.reviews_per_day(learner, "UTC", first, last) == {dt.date(2026, 3, 1): 2}


def test_the_forecast_counts_overdue_cards_today_and_follows_the_time_zone(learner):
    lesson = make_lesson()
    prompts = [make_card(lesson=lesson).prompts.get() for _ in range(4)]
    dues = [
        at("2026-02-20T00:00:00"),  # overdue: counts today
        at("2026-03-02T10:59:00"),  # 23:59 on 2 March in Auckland: today
        at("2026-03-02T11:01:00"),  # 00:01 on 3 March in Auckland
        at("2026-04-20T00:00:00"),  # beyond the 30 days
    ]
    for prompt, due in zip(prompts, dues, strict=True):
        PromptState.objects.create(
            user=learner,
            prompt=prompt,
            state=2,
            due=due,
            stability=5,
            difficulty=5,
            last_review=due,
        )
    today = dt.date(2026, 3, 2)
    assert selectors.due_per_day(learner, AUCKLAND, today, 30) == {
        dt.date(2026, 3, 2): 2,
        dt.date(2026, 3, 3): 1,
    }


def test_retention_splits_young_and_mature_prompts_over_each_window(learner):
    prompt = make_card().prompts.get()
    today = dt.date(2026, 3, 10)
    noon = dt.datetime(2026, 3, 10, 12, tzinfo=UTC)
    # Today: a young pass, a young fail, a mature pass.
    log(learner, prompt, 3, noon, interval=3)
    log(learner, prompt, 1, noon, interval=20)
    log(learner, prompt, 4, noon, interval=21)
    # Five days ago: a mature fail. Twenty days ago: a young pass. Forty days ago: ignored.
    log(learner, prompt, 1, noon - dt.timedelta(days=5), interval=40)
    log(learner, prompt, 2, noon - dt.timedelta(days=20), interval=1)
    log(learner, prompt, 1, noon - dt.timedelta(days=40), interval=1)
    # Learning steps are not retention: a prompt that was not in review before the grade.
    log(learner, prompt, 1, noon, state_before=PromptState.State.LEARNING)
    log(learner, prompt, 1, noon, state_before=None)

    rows = {row.label: row for row in selectors.retention(learner, "UTC", today)}
    day, week, month = rows["Today"], rows["Past 7 days"], rows["Past 30 days"]
    assert (day.young_passed, day.young_total, day.mature_passed, day.mature_total) == (1, 2, 1, 1)
    assert (week.young_passed, week.young_total, week.mature_passed, week.mature_total) == (
        1,
        2,
        1,
        2,
    )
    assert (month.young_passed, month.young_total) == (2, 3)
    assert day.young == pytest.approx(0.5)
    assert week.mature == pytest.approx(0.5)
    assert month.all == pytest.approx(3 / 5)


def test_retention_windows_start_at_the_learners_midnight(learner):
    prompt = make_card().prompts.get()
    today = dt.date(2026, 3, 2)
    log(learner, prompt, 3, at("2026-03-01T10:30:00"), interval=5)  # 1 March in Auckland
    log(learner, prompt, 3, at("2026-03-01T11:30:00"), interval=5)  # 2 March in Auckland
    today_row = selectors.retention(learner, AUCKLAND, today)[0]
    assert today_row.young_total == 1


def test_unseen_prompts_leave_out_retired_cards_and_drafts(learner):
    make_card()
    retired = make_card()
    retired.is_active = False
    retired.save()
    make_card(lesson=make_lesson(status="draft"))
    seen = make_card().prompts.get()
    PromptState.objects.create(user=learner, prompt=seen, state=2, due=at("2026-03-01T00:00:00"))
    assert selectors.unseen_count(learner) == 1
    assert Prompt.objects.count() == 4
