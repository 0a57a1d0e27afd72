"""What "My progress" shows: figures checked against the review log, and the dashboard's own
arithmetic (months, the exam, the weakest lessons)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo

import pytest

from flashcards.models import PromptState, Review, StudySettings
from flashcards.selectors import LessonMastery
from lessons.models import Lesson
from progress.dashboard import (
    TREND_TESTS,
    Dashboard,
    LessonProgress,
    _exam,
    _months,
    build_dashboard,
)
from tests.conftest import grade_now, make_card, make_lesson, study_for_days
from tests.practice.conftest import four_option_questions, submitted_attempt

AUCKLAND = "Pacific/Auckland"  # UTC+13 in March (daylight saving)
D = dt.date


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_known_is_taken_on_the_exam_day_and_weighs_each_lesson_by_its_cards(learner):
    now = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    StudySettings.objects.create(user=learner, exam_date=D(2026, 3, 30))
    big, small = make_lesson(), make_lesson()
    big_prompts = [make_card(lesson=big).prompts.get() for _ in range(3)]
    make_card(lesson=small)
    grade_now(learner, big_prompts[0], Review.Rating.EASY, now - dt.timedelta(hours=1))
    board = build_dashboard(learner, now)
    mastery = {item.lesson.pk: item.mastery for item in board.lessons}
    assert board.horizon.exam_day == D(2026, 3, 30)
    assert mastery[small.pk].known == 0
    assert 0 < mastery[big.pk].known < 1 / 3  # one card of three, faded by the exam
    assert board.known == pytest.approx(mastery[big.pk].known * 3 / 4)
    assert board.exam.days_left == 28


def test_months_count_days_studied_and_reviews_newest_first():
    per_day = {D(2026, 1, 31): 4, D(2026, 2, 1): 2, D(2026, 2, 3): 5, D(2026, 2, 4): 0}
    assert _months(per_day, D(2026, 1, 30), D(2026, 2, 5)) == [
        (D(2026, 2, 1), 2, 7),
        (D(2026, 1, 1), 1, 4),
    ]


def test_an_exam_is_shown_only_while_it_is_ahead():
    today = D(2026, 5, 1)
    assert _exam(StudySettings(), today) is None
    assert _exam(StudySettings(exam_date=today), today) is None
    assert _exam(StudySettings(exam_date=D(2026, 4, 1)), today) is None
    exam = _exam(StudySettings(exam_date=D(2026, 5, 31)), today)
    assert (exam.day, exam.days_left, exam.last_interval_day) == (
        D(2026, 5, 31),
        30,
        D(2026, 5, 30),
    )
    short = _exam(StudySettings(exam_date=D(2026, 5, 31), maximum_interval=10), today)
    assert short.last_interval_day == D(2026, 5, 11)


def dashboard(**values) -> Dashboard:
    required = [field.name for field in dataclasses.fields(Dashboard)]
    return Dashboard(**{name: None for name in required if name not in values}, **values)


def progress(title: str, known: float) -> LessonProgress:
    return LessonProgress(Lesson(title=title, slug=title.lower()), LessonMastery(4, known))


def test_the_weakest_lessons_are_the_three_least_known_then_by_title():
    known = {"E": 0.9, "D": 0.1, "C": 0.5, "B": 0.1, "A": 0.7}
    weakest = dashboard(lessons=[progress(title, share) for title, share in known.items()]).weakest
    assert [item.lesson.title for item in weakest] == ["B", "D", "C"]


def test_a_learner_has_history_once_they_reviewed_or_know_something():
    assert not dashboard(year_reviews=0, lessons=[progress("A", 0.0)]).has_history
    assert dashboard(year_reviews=3, lessons=[]).has_history
    assert dashboard(year_reviews=0, lessons=[progress("A", 0.2)]).has_history


def test_a_lesson_is_studied_through_its_own_scope():
    assert progress("KMS", 0.5).study_url == "/study/?scope=lesson%3Akms"


# Practice tests (issue 17) -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_practice_panel_lists_lessons_with_questions_or_scores_in_reading_order(learner):
    StudySettings.objects.create(user=learner, time_zone=AUCKLAND)
    zone = zoneinfo.ZoneInfo(AUCKLAND)
    first = make_lesson(title="First", position=1)
    second = make_lesson(title="Second", position=2)
    make_lesson(title="No questions", position=3)
    make_card(lesson=make_lesson(title="Cards only", position=4))
    asked = four_option_questions(2, lesson=first)
    four_option_questions(1, lesson=second)
    # Eleven tests on the first lesson, one a day at 11 p.m. UTC: the next day in Auckland.
    start = dt.datetime(2026, 3, 1, 23, tzinfo=dt.UTC)
    for day in range(11):
        submitted_attempt(
            learner,
            [(asked[0], "B"), (asked[1], "B" if day % 2 else "A")],
            submitted_at=start + dt.timedelta(days=day),
        )
    board = build_dashboard(learner, dt.datetime(2026, 3, 20, 12, tzinfo=zone))

    assert [item.lesson.title for item in board.practice] == ["First", "Second"]
    tested, untested = board.practice
    assert tested.tests == 11
    assert len(tested.scores) == len(tested.trend.bars) == TREND_TESTS
    assert tested.scores[-1].day == D(2026, 3, 12)  # 11 March 23:00 UTC, in Auckland
    assert (tested.latest.right, tested.latest.asked, tested.latest.share) == (1, 2, 0.5)
    assert [score.share for score in tested.scores[-2:]] == [1.0, 0.5]
    assert tested.mastery is not None and tested.mastery.cards == 2
    assert tested.new_test_url == f"/practice/new/?scope=lesson%3A{first.slug}"
    assert untested.latest is None and untested.tests == 0
    assert board.has_practised


@pytest.mark.django_db
def test_without_a_submitted_test_the_learner_has_not_practised(learner):
    four_option_questions(1)
    board = build_dashboard(learner, dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC))
    assert len(board.practice) == 1
    assert not board.has_practised
