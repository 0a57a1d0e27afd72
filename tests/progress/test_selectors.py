"""Dashboard figures from a known review log, with a fixed clock."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from flashcards.models import Prompt, PromptState, Review, StudySettings
from progress import selectors
from progress.dashboard import build_dashboard
from tests.conftest import make_card, make_lesson, study_for_days

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


def test_a_month_of_study_gives_true_figures(learner):
    """Grade for a month through the real service, then check the dashboard against figures
    worked out independently from the review log and the states."""
    zone = zoneinfo.ZoneInfo(AUCKLAND)
    StudySettings.objects.create(user=learner, time_zone=AUCKLAND, new_per_day=3)
    lesson = make_lesson()
    prompts = [make_card(lesson=lesson).prompts.get() for _ in range(40)]
    start = dt.datetime(2026, 2, 1, 8, tzinfo=zone)
    study_for_days(learner, prompts, start=start, days=30, skip=(11, 12))  # two days off
    now = dt.datetime(2026, 3, 2, 21, tzinfo=zone)  # the evening of the last day studied
    board = build_dashboard(learner, now)

    reviews = list(Review.objects.filter(user=learner))
    local_days = {}
    for review in reviews:
        local = review.reviewed_at.astimezone(zone).date()
        local_days[local] = local_days.get(local, 0) + 1
    today = now.date()
    assert board.today == today
    assert board.reviewed_today == local_days.get(today, 0) > 0
    assert board.year_reviews == len(reviews)
    assert board.studied_days == len(local_days)
    assert board.streak == (today - dt.date(2026, 2, 14)).days + 1  # since the days off
    end_of_today = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    states = PromptState.objects.filter(user=learner)
    assert board.due_today == states.filter(due__lt=end_of_today).count()
    assert (
        board.forecast_total == states.filter(due__lt=end_of_today + dt.timedelta(days=29)).count()
    )
    assert board.unseen == len(prompts) - states.count()
    assert [bar.value for bar in board.forecast.bars][0] == board.due_today
    heat = {cell.day: cell.reviews for cell in board.heatmap.cells}
    assert {day: count for day, count in heat.items() if count} == local_days
    in_review = [
        r
        for r in reviews
        if r.state_before == PromptState.State.REVIEW
        and (today - r.reviewed_at.astimezone(zone).date()).days < 30
    ]
    month = board.retention[-1]
    assert month.young_total + month.mature_total == len(in_review)
    assert month.young_passed + month.mature_passed == sum(r.rating > 1 for r in in_review)
    mastery = board.lessons[0].mastery
    assert mastery.cards == len(prompts)
    assert 0 < mastery.known < 1


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
