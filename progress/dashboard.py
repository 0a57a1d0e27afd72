"""What "My progress" shows a learner at this moment, from the progress and flashcards reads.

A constant number of queries: each figure is an aggregate, whatever the length of the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode

from flashcards.days import local_date
from flashcards.models import StudySettings
from flashcards.recall import KnownHorizon
from flashcards.scheduling import interval_cap
from flashcards.selectors import (
    LessonMastery,
    exam_cards_exist,
    horizon_for,
    mastery_by_lesson,
    new_left_today,
    study_settings_for,
    unseen_count,
)
from lessons.models import Lesson
from lessons.selectors import private_reader
from pagecache.kept import kept_for_content
from progress import charts, selectors

HEATMAP_DAYS = 365
FORECAST_DAYS = 30
WEAKEST = 3  # lessons offered first for study
TREND_TESTS = 8  # a lesson's latest practice-test scores drawn in its trend


@dataclass(frozen=True)
class LessonProgress:
    lesson: Lesson
    mastery: LessonMastery

    @property
    def study_url(self) -> str:
        query = urlencode({"scope": f"lesson:{self.lesson.slug}"})
        return f"{reverse('flashcards:study')}?{query}"


@dataclass(frozen=True)
class DatedScore:
    day: dt.date  # the learner's day the test was submitted on
    right: int
    asked: int

    @property
    def share(self) -> float:
        return self.right / self.asked


@dataclass(frozen=True)
class LessonPractice:
    """A lesson's practice-test scores over time, beside how well its cards are known."""

    lesson: Lesson
    mastery: LessonMastery | None  # None when the lesson has no card to study
    scores: list[DatedScore]  # the latest TREND_TESTS, oldest first
    tests: int  # every submitted test that asked one of its questions
    trend: charts.ScoreTrend

    @property
    def latest(self) -> DatedScore | None:
        return self.scores[-1] if self.scores else None

    @property
    def new_test_url(self) -> str:
        scope = urlencode({"scope": f"lesson:{self.lesson.slug}"})
        return f"{reverse('practice:start')}?{scope}"


@dataclass(frozen=True)
class Exam:
    day: dt.date
    days_left: int
    last_interval_day: dt.date  # no prompt graded today is scheduled after this day


@dataclass
class Dashboard:
    settings: StudySettings
    today: dt.date
    due_today: int
    new_today: int
    unseen: int
    reviewed_today: int
    streak: int
    studied_days: int  # days with reviews in the heatmap's year
    year_reviews: int
    busiest: tuple[dt.date, int] | None
    heatmap: charts.Heatmap
    months: list[tuple[dt.date, int, int]]  # month, days studied, reviews
    forecast: charts.BarChart
    forecast_total: int
    lessons: list[LessonProgress]
    retention: list[selectors.Retention]
    horizon: KnownHorizon | None = None  # when "known" is measured
    exam: Exam | None = None
    known: float = 0.0  # "known" over all lessons' prompts together
    has_exam_cards: bool = False  # cards with an exam anchor: offer them as a study scope
    practice: list[LessonPractice] = field(default_factory=list)
    trend_tests: int = TREND_TESTS

    @property
    def practice_url(self) -> str:
        return reverse("practice:attempts")

    @property
    def new_test_url(self) -> str:
        """A test on every lesson (no scope: the start page's default)."""
        return reverse("practice:start")

    @property
    def has_practised(self) -> bool:
        return any(item.scores for item in self.practice)

    @property
    def weakest(self) -> list[LessonProgress]:
        ordered = sorted(self.lessons, key=lambda item: (item.mastery.known, item.lesson.title))
        return ordered[:WEAKEST]

    @property
    def has_history(self) -> bool:
        return self.year_reviews > 0 or any(item.mastery.known for item in self.lessons)


def build_dashboard(user, now: dt.datetime) -> Dashboard:
    study_settings = study_settings_for(user)
    zone_name = study_settings.time_zone
    today = local_date(now, zone_name)
    first = today - dt.timedelta(days=HEATMAP_DAYS - 1)

    per_day = selectors.reviews_per_day(user, zone_name, first, today)
    due = selectors.due_per_day(user, zone_name, today, FORECAST_DAYS)
    # Content alone decides them (the learner's own private topics are content too): read
    # once per content version (pagecache.kept), once for all learners without private topics.
    reader = private_reader(user)
    lessons = kept_for_content(
        ("progress:lessons", reader),
        lambda: list(
            Lesson.objects.studyable_by(user if reader else None)
            .in_reading_order()
            .only("id", "title", "slug", "topic_id")
        ),
    )
    exam = _exam(study_settings, today)
    horizon = horizon_for(study_settings, now)
    mastery = mastery_by_lesson(user, [lesson.pk for lesson in lessons], horizon)
    progress = [
        LessonProgress(lesson, mastery[lesson.pk]) for lesson in lessons if lesson.pk in mastery
    ]

    busiest = max(per_day.items(), key=lambda item: (item[1], item[0]), default=None)
    unseen = unseen_count(user)
    dashboard = Dashboard(
        settings=study_settings,
        today=today,
        due_today=due.get(today, 0),
        new_today=min(new_left_today(user, study_settings, now), unseen),
        unseen=unseen,
        reviewed_today=per_day.get(today, 0),
        streak=charts.streak(per_day, today),
        studied_days=sum(1 for count in per_day.values() if count),
        year_reviews=sum(per_day.values()),
        busiest=busiest,
        heatmap=charts.heatmap(per_day, first, today),
        months=_months(per_day, first, today),
        forecast=charts.bar_chart(charts.daily(due, today, FORECAST_DAYS)),
        forecast_total=sum(due.values()),
        lessons=progress,
        retention=selectors.retention(user, zone_name, today),
        horizon=horizon,
        exam=exam,
        has_exam_cards=exam_cards_exist(user),
        practice=_practice(user, lessons, mastery, zone_name),
    )
    if progress:
        cards = sum(item.mastery.cards for item in progress)
        dashboard.known = sum(item.mastery.known * item.mastery.cards for item in progress) / cards
    return dashboard


def _practice(
    user, lessons: list[Lesson], mastery: dict[int, LessonMastery], zone_name: str
) -> list[LessonPractice]:
    """Lessons a test can be started on or has been taken on, in reading order. Two queries:
    the scores, and which lessons have questions."""
    lesson_ids = [lesson.pk for lesson in lessons]
    scores = selectors.practice_scores(user, lesson_ids)
    testable = selectors.lessons_with_questions(lesson_ids)
    practice = []
    for lesson in lessons:
        if lesson.pk not in testable and lesson.pk not in scores:
            continue
        everything = scores.get(lesson.pk, [])
        dated = [
            DatedScore(local_date(score.submitted_at, zone_name), score.right, score.asked)
            for score in everything[-TREND_TESTS:]
        ]
        practice.append(
            LessonPractice(
                lesson=lesson,
                mastery=mastery.get(lesson.pk),
                scores=dated,
                tests=len(everything),
                trend=charts.score_trend([(score.day, score.share) for score in dated]),
            )
        )
    return practice


def _exam(study_settings: StudySettings, today: dt.date) -> Exam | None:
    day = study_settings.exam_date
    if day is None or day <= today:
        return None
    cap = interval_cap(study_settings.maximum_interval, day, today)
    return Exam(
        day=day, days_left=(day - today).days, last_interval_day=today + dt.timedelta(days=cap)
    )


def _months(per_day: dict[dt.date, int], first: dt.date, last: dt.date):
    """The heatmap's text alternative: per month, days studied and reviews, newest first."""
    months: dict[dt.date, list[int]] = {}
    day = first
    while day <= last:
        entry = months.setdefault(day.replace(day=1), [0, 0])
        count = per_day.get(day, 0)
        entry[0] += 1 if count else 0
        entry[1] += count
        day += dt.timedelta(days=1)
    newest_first = sorted(months.items(), reverse=True)
    return [(month, days, reviews) for month, (days, reviews) in newest_first]
