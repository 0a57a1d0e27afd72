"""Reads for a learner's progress: aggregate queries over the review log and the states.

Each function is one query whatever the length of the learner's history: counts are grouped
by day in the database, in the learner's time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, Q, Value, When
from django.db.models.functions import TruncDate

from flashcards.days import learner_zone, midnight, utc_offsets
from flashcards.models import MATURE_DAYS, Card, PromptState, Review
from flashcards.selectors import Scope
from pagecache.kept import kept_for_content
from portal.rows import (
    ID_PLACEHOLDER,
    CompiledByShape,
    CompiledQuery,
    id_stand_ins,
    moment_stand_in,
)
from practice.models import AttemptQuestion

PASSED = Q(rating__gt=Review.Rating.AGAIN)
# A review of a prompt whose interval had reached MATURE_DAYS (young below).
MATURE = Q(interval_days__gte=MATURE_DAYS)


class LocalDate(TruncDate):
    """The learner's date of a datetime column, as TruncDate in their zone gives it, exact
    for moments from `start` to `end` (earlier ones take `start`'s offset).

    On SQLite, TruncDate with a zone calls a Python function per row, which for a year of
    reviews was a seventh of the dashboard's time. Here SQLite adds each stretch's fixed
    offset itself (`date(column, '+3600 seconds')`), the stretches split where the zone's
    offset changes (flashcards.days.utc_offsets). PostgreSQL converts in SQL already.
    """

    def __init__(self, expression, time_zone: str, start: dt.datetime, end: dt.datetime):
        super().__init__(expression, tzinfo=learner_zone(time_zone))
        self.offsets = utc_offsets(start, end, time_zone)

    def as_sqlite(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.lhs)
        shift = f"date({column}, %s)"
        sql, params = "", []
        for (_since, offset), (until, _next) in zip(self.offsets, self.offsets[1:], strict=False):
            sql += f" WHEN {column} < %s THEN {shift}"
            until_text = connection.ops.adapt_datetimefield_value(until)
            params += [*column_params, until_text, *column_params, _modifier(offset)]
        params += [*column_params, _modifier(self.offsets[-1][1])]
        if not sql:  # one offset all along: no CASE
            return shift, params
        return f"CASE{sql} ELSE {shift} END", params


def _modifier(offset: dt.timedelta) -> str:
    return f"{int(offset.total_seconds()):+d} seconds"


def reviews_per_day(user, time_zone: str, first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """Reviews on each of the learner's days from `first` to `last`; days without any left out."""
    start, end = midnight(first, time_zone), midnight(last + dt.timedelta(days=1), time_zone)
    rows = (
        Review.objects.filter(user=user, reviewed_at__gte=start, reviewed_at__lt=end)
        .annotate(day=LocalDate("reviewed_at", time_zone, start, end))
        .values("day")
        .annotate(reviews=Count("pk"))
        .order_by()
    )
    return {row["day"]: row["reviews"] for row in rows}


def due_per_day(user, time_zone: str, today: dt.date, days: int) -> dict[dt.date, int]:
    """Prompts falling due on each of the next `days` days; those overdue count on today."""
    start, end = midnight(today, time_zone), midnight(today + dt.timedelta(days=days), time_zone)
    rows = (
        PromptState.objects.filter(Scope().conditions("prompt__", user), user=user, due__lt=end)
        # Overdue prompts take today's offset: their dates, all before today, count on today.
        .annotate(day=LocalDate("due", time_zone, start, end))
        .values("day")
        .annotate(prompts=Count("pk"))
        .order_by()
    )
    per_day: dict[dt.date, int] = {}
    for row in rows:
        day = max(row["day"], today)
        per_day[day] = per_day.get(day, 0) + row["prompts"]
    return per_day


@dataclass(frozen=True)
class Retention:
    """Of the reviews of prompts that were in review (learning steps aside), how many passed."""

    label: str
    young_passed: int
    young_total: int
    mature_passed: int
    mature_total: int

    @staticmethod
    def _share(passed: int, total: int) -> float | None:
        return passed / total if total else None

    @property
    def young(self) -> float | None:
        return self._share(self.young_passed, self.young_total)

    @property
    def mature(self) -> float | None:
        return self._share(self.mature_passed, self.mature_total)

    @property
    def all(self) -> float | None:
        return self._share(
            self.young_passed + self.mature_passed, self.young_total + self.mature_total
        )


# The retention table's rows: a label and how many of the learner's days it covers, shortest
# first (each window holds the ones before it).
RETENTION_WINDOWS = (("Today", 1), ("Past 7 days", 7), ("Past 30 days", 30))


def _retention_rows(user_id: int, **since: dt.datetime):
    """Reviews of prompts in review since each window's start (`since_0` the shortest's),
    counted by (the shortest window holding them, mature, passed)."""
    starts = [since[f"since_{index}"] for index in range(len(RETENTION_WINDOWS))]
    window = Case(
        *(When(reviewed_at__gte=start, then=Value(index)) for index, start in enumerate(starts))
    )
    return (
        Review.objects.filter(
            user=user_id,
            state_before=PromptState.State.REVIEW,
            interval_days__isnull=False,
            reviewed_at__gte=starts[-1],
        )
        .values_list(
            window,
            ExpressionWrapper(MATURE, output_field=BooleanField()),
            ExpressionWrapper(PASSED, output_field=BooleanField()),
        )
        .annotate(reviews=Count("pk"))
        .order_by()
    )


# Built once: through the ORM on every view, even grouped, it was the dashboard's largest
# single cost after the template (bench/history.md, issue 20).
_RETENTION = CompiledQuery(
    _retention_rows,
    user_id=ID_PLACEHOLDER,
    **{f"since_{index}": moment_stand_in(1 + index) for index in range(len(RETENTION_WINDOWS))},
)


def retention(user, time_zone: str, today: dt.date) -> list[Retention]:
    """Pass rates of young (interval under MATURE_DAYS) and mature prompts over each window.

    One query grouped by (the shortest window a review falls in, mature, passed): a dozen
    rows at most, added up here into each window's figures. Twelve filtered counts built in
    the ORM instead were the dashboard's largest single cost (bench/history.md, issue 20).
    """
    rows = _RETENTION.rows(
        user_id=user.pk,
        **{
            f"since_{index}": midnight(today - dt.timedelta(days=days - 1), time_zone)
            for index, (_label, days) in enumerate(RETENTION_WINDOWS)
        },
    )
    # [window][mature][passed]: reviews whose shortest window is `window`.
    counts = [[[0, 0], [0, 0]] for _ in RETENTION_WINDOWS]
    for shortest, mature, passed, reviews in rows:
        counts[shortest][int(mature)][int(passed)] += reviews
    figures = []
    young, mature = [0, 0], [0, 0]  # passed, total: running over the windows so far
    for (label, _days), ((young_failed, young_passed), (mature_failed, mature_passed)) in zip(
        RETENTION_WINDOWS, counts, strict=True
    ):
        young = [young[0] + young_passed, young[1] + young_passed + young_failed]
        mature = [mature[0] + mature_passed, mature[1] + mature_passed + mature_failed]
        figures.append(Retention(label, young[0], young[1], mature[0], mature[1]))
    return figures


@dataclass(frozen=True)
class TestScore:
    """One submitted practice test's score on one lesson's questions in it."""

    attempt_id: int
    submitted_at: dt.datetime
    right: int
    asked: int

    @property
    def share(self) -> float:
        return self.right / self.asked


def practice_scores(user, lesson_ids: list[int]) -> dict[int, list[TestScore]]:
    """Per lesson, the learner's submitted practice tests' scores on its questions, oldest
    first. A question left unanswered counts as not right, as in the test's own score
    (Attempt.right_count of question_count), so a lesson's scores add up to the test's.

    One query, grouped by test and lesson in the database, whatever the number of tests.
    """
    if not lesson_ids:
        return {}
    rows = _PRACTICE_SCORES(len(lesson_ids)).rows(user_id=user.pk, lesson_ids=lesson_ids)
    scores: dict[int, list[TestScore]] = {}
    for attempt_id, submitted_at, lesson_id, asked, right in rows:
        scores.setdefault(lesson_id, []).append(TestScore(attempt_id, submitted_at, right, asked))
    return scores


def _practice_score_rows(_lessons: int, *, user_id: int, lesson_ids):
    return (
        AttemptQuestion.objects.filter(
            attempt__user_id=user_id,
            attempt__submitted_at__isnull=False,
            prompt__card__lesson_id__in=lesson_ids,
        )
        .values_list("attempt_id", "attempt__submitted_at", "prompt__card__lesson_id")
        .annotate(asked=Count("pk"), right=Count("pk", filter=Q(is_right=True)))
        .order_by("attempt__submitted_at", "attempt_id")
    )


# Compiled once per number of lessons (portal.rows): read on every view of the dashboard.
_PRACTICE_SCORES = CompiledByShape(
    _practice_score_rows,
    stand_ins=lambda lessons: {"user_id": ID_PLACEHOLDER, "lesson_ids": id_stand_ins(lessons)},
)


def lessons_with_questions(lesson_ids: list[int]) -> set[int]:
    """Which of the lessons have a question a practice test could ask (an active question
    card): those a test can be started on. Content alone decides: read once per content
    version (pagecache.kept)."""
    wanted = tuple(sorted(lesson_ids))
    return kept_for_content(
        ("progress:lessons-with-questions", wanted),
        lambda: set(
            Card.objects.active()
            .filter(kind=Card.Kind.QUESTION, lesson_id__in=wanted)
            .values_list("lesson_id", flat=True)
            .distinct()
            .order_by()
        ),
    )
