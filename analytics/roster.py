"""Each learner's progress, for instructors: the roster, one learner's page, the CSV export.

A learner is an active account that is neither staff nor superuser, whether or not it has
studied yet: a learner who never started is the one most behind.

Every figure of a roster row is a correlated subquery on the learner's rows, so a page of
learners is one query however many learners or reviews there are, and the roster can be
sorted on any figure in the database. "Known" is the learner's own figure (the dashboard's:
`flashcards.recall.known_horizon`, through `analytics.selectors.known_moment_expression`),
due and overdue count what the learner's study queue counts (`Scope.conditions`).

Sorting by known is the exception to "any figure in the database": at 10,000 learners it
would be a million recall figures per request, so the order is the hourly `KnownSnapshot`'s
(docs/NOTES.md, "The roster at 10,000 learners"), and the figures shown stay live.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from analytics.models import KnownSnapshot
from analytics.selectors import exam_moments, known_moment_expression
from flashcards.models import LEECH_LAPSES, Card, Prompt, PromptMark, PromptState, Review
from flashcards.recall import known_horizon, learner_decay, recall_at
from flashcards.selectors import Scope
from lessons.models import public_lessons
from portal.rows import CompiledByShape, CompiledQuery, moment_stand_in
from trees.models import Tree, TreeWalk

PAGE_SIZE = 50
OVERDUE_AFTER = dt.timedelta(days=1)  # due for a day or more: overdue, not merely due


@dataclass(frozen=True)
class Column:
    key: str  # the ?sort= value, and the annotation sorted on
    label: str
    descending_first: bool = True  # a click on a figure shows the largest first


# The roster's columns, in order: the page, the CSV and ?sort= all read this.
COLUMNS = (
    Column("learner", "Learner", descending_first=False),
    Column("reviews_7", "Reviews, last 7 days"),
    Column("reviews_30", "Reviews, last 30 days"),
    Column("last_active", "Last active"),
    Column("known", "Known"),
    Column("due", "Due now"),
    Column("overdue", "Overdue"),
    Column("leeches", "Leeches"),
)
SORT_KEYS = {column.key for column in COLUMNS}
DEFAULT_SORT = "learner"


def learners() -> QuerySet:
    return get_user_model().objects.filter(is_active=True, is_staff=False, is_superuser=False)


def parse_sort(raw: str | None, keys: set[str] = SORT_KEYS, default: str = DEFAULT_SORT) -> str:
    """A ?sort= value: a column key, "-" in front for descending; the default if unknown.
    The roster's keys unless others are given (the questions page's)."""
    raw = raw or ""
    return raw if raw.lstrip("-") in keys else default


@dataclass(frozen=True)
class SortHeader:
    label: str
    param: str  # the ?sort= a click on the header asks for
    aria_sort: str  # "ascending", "descending" or "none"
    key: str = ""  # the column's


def sort_headers(sort: str, columns: tuple[Column, ...] = COLUMNS) -> list[SortHeader]:
    """The roster's headers, or other `columns`': a click sorts by the column (figures
    largest first), a second click reverses it."""
    headers = []
    for column in columns:
        current = sort.lstrip("-") == column.key
        descending = sort.startswith("-")
        if current:
            param = column.key if descending else f"-{column.key}"
        else:
            param = f"-{column.key}" if column.descending_first else column.key
        aria = ("descending" if descending else "ascending") if current else "none"
        headers.append(SortHeader(label=column.label, param=param, aria_sort=aria, key=column.key))
    return headers


def _per_learner(rows: QuerySet, aggregate, output_field) -> Coalesce:
    grouped = rows.order_by().values("user").annotate(value=aggregate).values("value")
    return Coalesce(Subquery(grouped[:1], output_field=output_field), 0, output_field=output_field)


def live_prompt_count(scope: Scope) -> int:
    """The prompts "known" is a share of: every studyable prompt in the scope."""
    return Prompt.objects.filter(scope.conditions()).count()


def _known_as_of_snapshot(scope: Scope) -> Coalesce:
    """Each learner's "known" in the scope as the snapshot has it (`KnownSnapshot`): one
    indexed read per learner instead of the recall of every card state they have."""
    figures = KnownSnapshot.objects.filter(public_lessons("lesson__"), user=OuterRef("pk"))
    if scope.kind == "lesson":
        figures = figures.filter(lesson__slug=scope.slug)
    return _per_learner(figures, Sum("recalled"), FloatField())


def roster(
    now: dt.datetime,
    *,
    scope: Scope | None = None,
    sort: str = DEFAULT_SORT,
    known_snapshot: dt.datetime | None = None,
) -> QuerySet:
    """Learners annotated with each column's figure (`known` as the sum of recall, to divide
    by `live_prompt_count`), ordered by `sort`. One query to read; one more to read the exam
    days "known" is taken on.

    With `known_snapshot` (the time of the `KnownSnapshot`, `services.known_snapshot_time`),
    sorting by known orders by the snapshot's figures, while the figures read stay live: the
    page must then say the order is as of that time."""
    shape, values = _shape_and_values(now, scope or Scope(), sort, known_snapshot)
    return _roster(shape, **values)


def roster_page(
    now: dt.datetime,
    *,
    scope: Scope | None = None,
    sort: str = DEFAULT_SORT,
    known_snapshot: dt.datetime | None = None,
    number=None,
) -> Page:
    """Page `number` of `roster` (the last page past the end, the first for anything else),
    as the roster page shows it: PAGE_SIZE learners with their figures.

    The same query as `roster`'s, compiled once per shape (`portal.rows`): built through the
    ORM on every view, its nine subqueries cost more to build and compile than to run
    (bench/history.md, issue 20)."""
    shape, values = _shape_and_values(now, scope or Scope(), sort, known_snapshot)
    learners_ = _CompiledLearners(_ROSTER(shape), values)
    return Paginator(learners_, PAGE_SIZE).get_page(number)


@dataclass(frozen=True)
class _Shape:
    """What the roster query's SQL depends on; everything else is a value."""

    sort: str
    lesson: bool  # the scope is one lesson (its slug a value), not everything
    snapshot: bool  # sorted by known as of the snapshot
    exams: int  # the (exam day, time zone) pairs still to come: a branch each


def _shape_and_values(
    now: dt.datetime, scope: Scope, sort: str, known_snapshot: dt.datetime | None
) -> tuple[_Shape, dict]:
    exams = exam_moments(now)
    shape = _Shape(
        sort=sort,
        lesson=scope.kind == "lesson",
        snapshot=known_snapshot is not None and sort.lstrip("-") == "known",
        exams=len(exams),
    )
    values = {
        "now": now,
        "week_ago": now - dt.timedelta(days=7),
        "month_ago": now - dt.timedelta(days=30),
        "overdue_from": now - OVERDUE_AFTER,
        "known_default": known_horizon(now).moment,
        "exam_days": [day for day, _zone, _moment in exams],
        "exam_zones": [zone for _day, zone, _moment in exams],
        "exam_moments": [moment for _day, _zone, moment in exams],
    }
    if shape.lesson:
        values["slug"] = scope.slug
    return shape, values


def _roster(
    shape: _Shape,
    *,
    now: dt.datetime,
    week_ago: dt.datetime,
    month_ago: dt.datetime,
    overdue_from: dt.datetime,
    known_default: dt.datetime,
    exam_days,
    exam_zones,
    exam_moments,
    slug: str = "",
) -> QuerySet:
    """The roster's query for a shape and its values: each moment as given, not derived here,
    so that the query compiles with stand-ins for them (`_ROSTER`)."""
    scope = Scope("lesson", slug) if shape.lesson else Scope()
    # Only reviews of public lessons' prompts: a learner's private notes are theirs alone, so
    # the roster neither counts nor dates that study. As `prompt IN (...)` for the reason
    # below; retired prompts stay in, as the reviews of them were real study.
    reviews = Review.objects.filter(
        prompt__in=Prompt.objects.filter(public_lessons("card__lesson__")).values("pk"),
        user=OuterRef("pk"),
    )
    if shape.lesson:
        reviews = reviews.filter(prompt__card__lesson__slug=scope.slug)
    # The scope's prompts as `prompt IN (...)`, not as joins: the planner then reads the few
    # live prompts once for all learners, where joins read the prompts, cards and lessons
    # again for each of the 10,000 learners a sort visits (EXPLAIN on PostgreSQL: 1,000,000
    # prompt rows for one page sorted by due).
    states = PromptState.objects.filter(prompt__in=scope.prompts(), user=OuterRef("pk"))
    whole = IntegerField()
    # A card the learner suspended is never offered, so it is not waiting for them: due and
    # overdue leave it out, as their study queue does (a buried card comes back tomorrow and
    # still counts).
    waiting = states.exclude(
        Exists(
            PromptMark.objects.filter(
                user_id=OuterRef("user_id"), prompt_id=OuterRef("prompt_id"), suspended=True
            )
        )
    )
    known_moment = known_moment_expression(
        known_default, list(zip(exam_days, exam_zones, exam_moments, strict=True))
    )
    queryset = learners().annotate(
        learner=F("username"),
        reviews_7=_per_learner(reviews.filter(reviewed_at__gte=week_ago), Count("pk"), whole),
        reviews_30=_per_learner(reviews.filter(reviewed_at__gte=month_ago), Count("pk"), whole),
        # The latest review, not MAX(reviewed_at): read backwards along (user, reviewed_at),
        # it stops at the first review; SQLite plans MAX by looking the learner up in every
        # scope prompt's reviews instead (12 of a first page's 21 ms at 10,000 learners).
        last_active=Subquery(
            reviews.order_by("-reviewed_at").values("reviewed_at")[:1],
            output_field=DateTimeField(),
        ),
        known=_per_learner(
            states, Sum(recall_at(known_moment, decay=learner_decay())), FloatField()
        ),
        due=_per_learner(waiting.filter(due__lte=now), Count("pk"), whole),
        overdue=_per_learner(waiting.filter(due__lte=overdue_from), Count("pk"), whole),
        leeches=_per_learner(states.filter(lapses__gte=LEECH_LAPSES), Count("pk"), whole),
    )
    key = shape.sort.lstrip("-")
    descending = shape.sort.startswith("-")
    if shape.snapshot:
        key = "known_sorted"
        queryset = queryset.annotate(known_sorted=_known_as_of_snapshot(scope))
    if key == "last_active":  # never active counts as least recent
        order = F(key).desc(nulls_last=True) if descending else F(key).asc(nulls_first=True)
    else:
        order = F(key).desc() if descending else F(key).asc()
    return queryset.order_by(order, "username", "pk").only("id", "username")


def _stand_ins(shape: _Shape) -> dict:
    """Stand-ins for a shape's values: each of its type, each distinct, none a real one."""
    stand_ins = {
        "now": moment_stand_in(1),
        "week_ago": moment_stand_in(2),
        "month_ago": moment_stand_in(3),
        "overdue_from": moment_stand_in(4),
        "known_default": moment_stand_in(5),
        "exam_days": tuple(dt.date(1902, 1, 1) + dt.timedelta(days=n) for n in range(shape.exams)),
        "exam_zones": tuple(f"compiled-roster-zone-{n}" for n in range(shape.exams)),
        "exam_moments": tuple(
            moment_stand_in(6) + dt.timedelta(hours=n) for n in range(shape.exams)
        ),
    }
    if shape.lesson:
        stand_ins["slug"] = "compiled-roster-slug"
    return stand_ins


_ROSTER = CompiledByShape(_roster, stand_ins=_stand_ins)
_LEARNERS = CompiledQuery(lambda: learners().values_list("pk"))


class _CompiledLearners:
    """The roster's learners as a Paginator reads them: counted, and a page of them read, in
    the database; the count is the learners', which no figure or order changes."""

    def __init__(self, query: CompiledQuery, values: dict) -> None:
        self.query = query
        self.values = values

    def count(self) -> int:
        return _LEARNERS.count()

    def __getitem__(self, window: slice) -> list:
        return self.query.objects(
            limit=window.stop - window.start, offset=window.start, **self.values
        )


@dataclass(frozen=True)
class RosterRow:
    learner_id: int
    name: str
    reviews_7: int
    reviews_30: int
    last_active: dt.datetime | None
    known: float  # 0 to 1, the share of the scope's prompts the learner is expected to recall
    due: int
    overdue: int
    leeches: int


def rows(learners_page, prompt_count: int) -> list[RosterRow]:
    """The annotated learners of `roster` as rows, "known" as a share."""
    return [
        RosterRow(
            learner_id=user.pk,
            name=user.username,
            reviews_7=user.reviews_7,
            reviews_30=user.reviews_30,
            last_active=user.last_active,
            known=min(1.0, (user.known or 0.0) / prompt_count) if prompt_count else 0.0,
            due=user.due,
            overdue=user.overdue,
            leeches=user.leeches,
        )
        for user in learners_page
    ]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_header() -> list[str]:
    return [column.label for column in COLUMNS]


def csv_row(row: RosterRow) -> list[str]:
    last_active = row.last_active.astimezone(dt.UTC).isoformat() if row.last_active else ""
    figures = [
        row.name,
        row.reviews_7,
        row.reviews_30,
        last_active,
        f"{row.known * 100:.1f}%",
        row.due,
        row.overdue,
        row.leeches,
    ]
    return [csv_cell(figure) for figure in figures]


def hardest_cards_of(user, limit: int = 15) -> list[Card]:
    """The learner's cards they graded Again at least once, most Agains first, then by lapses.

    Each card gets `front_html`, its first live prompt's front (as the study page shows it).
    """
    reviews = Review.objects.filter(user=user, prompt__card=OuterRef("pk"))
    states = PromptState.objects.filter(user=user, prompt__card=OuterRef("pk"))

    def per_card(rows: QuerySet, aggregate):
        grouped = rows.order_by().values("prompt__card").annotate(value=aggregate).values("value")
        return Coalesce(Subquery(grouped[:1]), 0)

    return list(
        Card.objects.filter(
            # A learner's private notes are theirs alone, their cards too.
            public_lessons("lesson__"),
            prompts__reviews__user=user,
            prompts__reviews__rating=Review.Rating.AGAIN,
        )
        .distinct()
        .select_related("lesson")
        .only("id", "section", "lesson__id", "lesson__title", "lesson__slug")
        .annotate(
            front_html=Subquery(
                Prompt.objects.filter(card=OuterRef("pk"), is_active=True)
                .order_by("ordinal")
                .values("front_html")[:1]
            ),
            review_count=per_card(reviews, Count("pk")),
            again_count=per_card(reviews.filter(rating=Review.Rating.AGAIN), Count("pk")),
            lapse_total=per_card(states, Sum("lapses")),
            leech=per_card(states.filter(lapses__gte=LEECH_LAPSES), Count("pk")),
        )
        .order_by("-again_count", "-lapse_total", "id")[:limit]
    )


@dataclass(frozen=True)
class Walk:
    tree_title: str
    tree_slug: str
    finished: bool
    where: str  # the question the walk stopped at, or the outcome it reached
    steps: int
    updated_at: dt.datetime


def walks_of(user, limit: int = 20) -> list[Walk]:
    """The learner's latest tree walks, each with the text of the node it is at (two queries:
    the walks, and their trees whole, which hold the nodes' text)."""
    recent = list(
        TreeWalk.objects.filter(user=user)
        .only("tree_id", "last_node_key", "finished", "steps", "updated_at")
        .order_by("-updated_at", "-pk")[:limit]
    )
    trees = {
        tree.pk: tree
        for tree in Tree.objects.filter(pk__in={walk.tree_id for walk in recent}).only(
            "id", "title", "slug", "compiled"
        )
    }
    walks = []
    for walk in recent:
        tree = trees[walk.tree_id]
        node = tree.to_spec().nodes.get(walk.last_node_key) if tree.compiled else None
        walks.append(
            Walk(
                tree_title=tree.title,
                tree_slug=tree.slug,
                finished=walk.finished,
                where=node.text if node else "",
                steps=walk.steps,
                updated_at=walk.updated_at,
            )
        )
    return walks
