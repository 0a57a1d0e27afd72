"""Progress reads from a known review log, with a fixed clock."""

from __future__ import annotations

import datetime as dt

import pytest

from flashcards.models import PromptState, Review
from practice.models import Attempt
from progress import selectors
from tests.conftest import make_card, make_lesson, make_user
from tests.practice.conftest import four_option_questions, submitted_attempt

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


# Practice tests (issue 17) -----------------------------------------------------------------


def test_practice_scores_are_each_submitted_tests_score_per_lesson_oldest_first(learner):
    restore = four_option_questions(3)
    replicas = four_option_questions(2)
    first = submitted_attempt(
        learner,
        [(restore[0], "B"), (restore[1], "A"), (replicas[0], "B")],
        submitted_at=at("2026-11-02T09:00"),
    )
    # A question left unanswered counts as not right, as in the test's own score.
    second = submitted_attempt(
        learner,
        [(restore[0], "B"), (restore[1], "B"), (restore[2], "")],
        submitted_at=at("2026-11-05T09:00"),
    )
    # Neither a test still going, nor another learner's, counts.
    going = submitted_attempt(learner, [(restore[0], "A")])
    Attempt.objects.filter(pk=going.pk).update(submitted_at=None)
    submitted_attempt(make_user(), [(restore[0], "A")])
    restore_lesson = restore[0].card.lesson_id
    replicas_lesson = replicas[0].card.lesson_id

    scores = selectors.practice_scores(learner, [restore_lesson, replicas_lesson])

    assert [(s.attempt_id, s.right, s.asked) for s in scores[restore_lesson]] == [
        (first.pk, 1, 2),
        (second.pk, 2, 3),
    ]
    assert [(s.attempt_id, s.right, s.asked) for s in scores[replicas_lesson]] == [(first.pk, 1, 1)]
    assert scores[restore_lesson][0].submitted_at == at("2026-11-02T09:00")
    assert selectors.practice_scores(learner, [replicas_lesson]).keys() == {replicas_lesson}


def test_lessons_with_questions_are_those_with_an_active_question_card(db):
    asked = four_option_questions(1)[0].card.lesson
    retired = four_option_questions(1)[0].card
    retired.is_active = False
    retired.save()
    plain = make_card().lesson
    ids = [asked.pk, retired.lesson_id, plain.pk]
    assert selectors.lessons_with_questions(ids) == {asked.pk}


@pytest.mark.parametrize(
    "zone", ["Europe/London", "America/Santiago", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]
)
def test_days_are_counted_as_truncdate_counts_them_across_daylight_saving_changes(learner, zone):
    """LocalDate (SQL offsets per stretch on SQLite) against Django's own TruncDate in the
    zone, for a review every 37 minutes of a year: changes of an hour, of half an hour (Lord
    Howe), at midnight (Santiago), and a quarter-hour offset (Kathmandu)."""
    from django.db.models.functions import TruncDate

    from flashcards.days import learner_zone, midnight

    prompt = make_card().prompts.get()
    first, last = dt.date(2025, 9, 1), dt.date(2026, 8, 31)
    start, end = midnight(first, zone), midnight(last + dt.timedelta(days=1), zone)
    moment, reviews = start, []
    while moment < end:
        reviews.append(
            Review(
                user=learner, prompt=prompt, rating=3, reviewed_at=moment, state_after=2, after={}
            )
        )
        moment += dt.timedelta(minutes=37, seconds=1, microseconds=500)
    Review.objects.bulk_create(reviews)
    days = Review.objects.filter(user=learner).order_by("pk")

    expected = list(
        days.values_list(TruncDate("reviewed_at", tzinfo=learner_zone(zone)), flat=True)
    )
    assert (
        list(days.values_list(selectors.LocalDate("reviewed_at", zone, start, end), flat=True))
        == expected
    )
    assert sum(selectors.reviews_per_day(learner, zone, first, last).values()) == len(reviews)
