"""Reads across all learners, for instructors: where learners struggle, and how many study.

Each function makes a fixed number of queries, whatever the number of learners or reviews.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncWeek

from flashcards.models import Card, Prompt, PromptState, Review, StudySettings, live_prompts
from flashcards.recall import known_horizon, learner_decay, recall_at
from flashcards.selectors import card_figures
from lessons.models import Lesson, public_lessons
from trees.models import AnswerTakenBack, Tree, TreeWalk

MIN_REVIEWS = 3  # a card needs this many reviews before its again rate means anything
# 95% confidence: the again rate a card is ranked by is one it is 95% sure to reach.
WILSON_Z = 1.96


def wilson_lower_bound(failures: int, trials: int, z: float = WILSON_Z) -> float:
    """The lower end of the Wilson score interval of a failure rate: the rate the evidence
    says a card fails at least, so 1 Again in 3 reviews ranks below 30 Agains in 100."""
    if trials == 0:
        return 0.0
    rate = failures / trials
    z2 = z * z
    centre = rate + z2 / (2 * trials)
    margin = z * math.sqrt(rate * (1 - rate) / trials + z2 / (4 * trials * trials))
    return max(0.0, (centre - margin) / (1 + z2 / trials))


def hardest_cards(limit: int = 15) -> list[Card]:
    """Active cards of published lessons that learners fail, worst first: ranked by the Wilson
    lower bound of their again rate across learners (`wilson_lower_bound`), then by lapses.
    A card needs MIN_REVIEWS reviews and at least one Again to be listed.

    Each card also gets `section_title`, its section's heading, for the link to it, and
    `front_html`, its first prompt's front as the study page shows it (a cloze with its blank).
    """
    cards = Card.objects.active().filter(public_lessons("lesson__"))
    failing = list(
        card_figures(
            cards.select_related("lesson").only(
                "id",
                "front",
                "section",
                "lesson__id",
                "lesson__title",
                "lesson__slug",
                "lesson__toc",
            )
        )
        .filter(review_count__gte=MIN_REVIEWS, again_count__gt=0)
        .annotate(
            front_html=Subquery(
                Prompt.objects.filter(card=OuterRef("pk"), is_active=True)
                .order_by("ordinal")
                .values("front_html")[:1]
            )
        )
    )
    for card in failing:
        card.again_rate = card.again_count / card.review_count
        card.again_at_least = wilson_lower_bound(card.again_count, card.review_count)
    failing.sort(
        key=lambda card: (-card.again_at_least, -card.lapse_total, -card.leech_count, card.pk)
    )
    hardest = failing[:limit]
    for card in hardest:
        card.section_title = card.lesson.sections().get(card.section, "") if card.section else ""
    return hardest


@dataclass(frozen=True)
class QuestionTrouble:
    tree_id: int
    tree_title: str
    tree_slug: str
    node_key: str
    question: str
    # Signed-in learners and anonymous visitors counted apart: a visitor is a browser session,
    # and one person may be both.
    left_learners: int  # learners whose walk stopped at this question
    left_visitors: int  # visitors whose walk stopped here
    taken_back_learners: int  # answers to it that learners went back on
    taken_back_visitors: int
    most_taken_back: str  # the answer most often taken back, by anyone

    @property
    def trouble(self) -> int:
        return (
            self.left_learners
            + self.left_visitors
            + self.taken_back_learners
            + self.taken_back_visitors
        )


def _most_often(times_by_label: dict[str, int]) -> str:
    if not times_by_label:
        return ""
    return max(sorted(times_by_label), key=lambda label: times_by_label[label])


def tree_trouble(limit: int = 15) -> list[QuestionTrouble]:
    """Tree questions where learners and visitors stop walking or go back on their answer,
    worst first."""
    left: dict[tuple[int, str], dict[bool, int]] = {}
    for row in (
        TreeWalk.objects.filter(finished=False)
        .values(
            "tree_id",
            "last_node_key",
            signed_in=ExpressionWrapper(Q(user__isnull=False), output_field=BooleanField()),
        )
        .annotate(walkers=Count("walker", distinct=True))
        .order_by()
    ):
        left.setdefault((row["tree_id"], row["last_node_key"]), {})[row["signed_in"]] = row[
            "walkers"
        ]
    taken_back: dict[tuple[int, str], dict[bool, int]] = {}
    most: dict[tuple[int, str], dict[str, int]] = {}
    for row in (
        AnswerTakenBack.objects.values("tree_id", "node_key", "choice_label", "signed_in")
        .annotate(times=Count("pk"))
        .order_by()
    ):
        key = (row["tree_id"], row["node_key"])
        by_whom = taken_back.setdefault(key, {})
        if row["signed_in"] is not None:
            by_whom[row["signed_in"]] = by_whom.get(row["signed_in"], 0) + row["times"]
        labels = most.setdefault(key, {})
        labels[row["choice_label"]] = labels.get(row["choice_label"], 0) + row["times"]
    keys = set(left) | set(taken_back)
    if not keys:
        return []
    trees = Tree.objects.filter(
        pk__in={tree_id for tree_id, _key in keys}, compiled__isnull=False
    ).only("id", "title", "slug", "compiled")
    rows = []
    for tree in trees:
        for key, node in tree.to_spec().nodes.items():
            figures = (tree.pk, key)
            if node.is_outcome or figures not in keys:
                continue
            rows.append(
                QuestionTrouble(
                    tree_id=tree.pk,
                    tree_title=tree.title,
                    tree_slug=tree.slug,
                    node_key=key,
                    question=node.text,
                    left_learners=left.get(figures, {}).get(True, 0),
                    left_visitors=left.get(figures, {}).get(False, 0),
                    taken_back_learners=taken_back.get(figures, {}).get(True, 0),
                    taken_back_visitors=taken_back.get(figures, {}).get(False, 0),
                    most_taken_back=_most_often(most.get(figures, {})),
                )
            )
    rows.sort(key=lambda row: (-row.trouble, row.tree_title, row.node_key))
    return rows[:limit]


# Mastery bands for the spread: a learner's mastery of a lesson falls in one of these.
BANDS = ((0.0, "0–19%"), (0.2, "20–39%"), (0.4, "40–59%"), (0.6, "60–79%"), (0.8, "80–100%"))


@dataclass(frozen=True)
class MasterySpread:
    lesson: Lesson
    learners: int  # learners who have studied at least one of its cards
    bands: list[int]  # learners per band of BANDS
    median: float | None


def known_moment_per_learner(now: dt.datetime) -> dt.datetime | Case:
    """Each learner's "known" moment (`flashcards.recall.known_horizon`) as one expression over
    PromptState rows: their exam day's midday when it is still to come, else 30 days from now.

    One query reads the exam days still to come (with their time zones, which place the
    midday); the expression has one branch per distinct pair, however many learners share it.
    """
    return known_moment_expression(known_horizon(now).moment, exam_moments(now))


def exam_moments(now: dt.datetime) -> list[tuple[dt.date, str, dt.datetime]]:
    """The exam days still to come, each with the time zone it is in and its "known" moment
    (that day's midday there): one query, a row per distinct day and zone."""
    # The earliest "today" anywhere on Earth is UTC's yesterday: nothing before it can be ahead.
    exams = (
        StudySettings.objects.filter(exam_date__gte=(now - dt.timedelta(days=1)).date())
        .values_list("exam_date", "time_zone")
        .distinct()
        .order_by("exam_date", "time_zone")
    )
    moments = []
    for exam_date, time_zone in exams:
        horizon = known_horizon(now, exam_date=exam_date, time_zone=time_zone)
        if horizon.exam_day is not None:
            moments.append((exam_date, time_zone, horizon.moment))
    return moments


def known_moment_expression(
    default: dt.datetime, exams: list[tuple[dt.date, str, dt.datetime]]
) -> dt.datetime | Case:
    """`default` for learners without an exam to come, the moment of each of `exams` (as
    `exam_moments` gives them) for the learners whose exam day and zone it is."""
    if not exams:
        return default
    branches = [
        When(
            user__study_settings__exam_date=exam_date,
            user__study_settings__time_zone=time_zone,
            then=Value(moment, output_field=DateTimeField()),
        )
        for exam_date, time_zone, moment in exams
    ]
    return Case(*branches, default=Value(default), output_field=DateTimeField())


def mastery_spread(now: dt.datetime) -> list[MasterySpread]:
    """For each published lesson with cards, how its learners' mastery ("known", as each learner
    sees it on their own pages) is spread."""
    lessons = list(
        Lesson.objects.published().in_reading_order().only("id", "title", "slug", "topic_id")
    )
    totals = dict(
        Prompt.objects.live()
        .filter(card__lesson__in=lessons)
        .values_list("card__lesson_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    per_lesson: dict[int, list[float]] = {lesson_id: [] for lesson_id in totals}
    rows = (
        PromptState.objects.filter(
            live_prompts("prompt__"), prompt__card__lesson_id__in=list(totals)
        )
        .values_list("user_id", "prompt__card__lesson_id")
        .annotate(recalled=Sum(recall_at(known_moment_per_learner(now), decay=learner_decay())))
        .order_by()
    )
    for _user_id, lesson_id, recalled in rows:
        per_lesson[lesson_id].append(min(1.0, (recalled or 0.0) / totals[lesson_id]))
    spread = []
    for lesson in lessons:
        if lesson.pk not in totals:
            continue
        masteries = per_lesson[lesson.pk]
        bands = [0] * len(BANDS)
        for mastery in masteries:
            bands[max(i for i, (low, _label) in enumerate(BANDS) if mastery >= low)] += 1
        spread.append(
            MasterySpread(
                lesson=lesson,
                learners=len(masteries),
                bands=bands,
                median=statistics.median(masteries) if masteries else None,
            )
        )
    return spread


def active_learners_per_week(today: dt.date, weeks: int = 12) -> list[tuple[dt.date, int]]:
    """Learners who graded at least one card of a public lesson, per week (Monday to Sunday,
    UTC), oldest first."""
    this_monday = today - dt.timedelta(days=today.weekday())
    first = this_monday - dt.timedelta(weeks=weeks - 1)
    counts = {
        row["week"]: row["learners"]
        for row in Review.objects.filter(
            # Study of a learner's private notes is theirs alone: not counted here.
            public_lessons("prompt__card__lesson__"),
            reviewed_at__gte=dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC),
        )
        .annotate(week=TruncWeek("reviewed_at", tzinfo=dt.UTC))
        .values("week")
        .annotate(learners=Count("user", distinct=True))
        .order_by()
    }
    by_day = {week.date(): learners for week, learners in counts.items()}
    return [
        (first + dt.timedelta(weeks=index), by_day.get(first + dt.timedelta(weeks=index), 0))
        for index in range(weeks)
    ]
