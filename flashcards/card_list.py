"""Reads for "My cards": every prompt the learner can study, with their state and marks,
filtered, sorted and a page at a time.

One query for a page and one for the count, whatever the page size: the learner's state and
marks are left-joined to the prompts (`FilteredRelation`), and retrievability is computed by
the database (`recall.recall_at`), so it can be sorted on too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from flashcards.days import local_date, midnight
from flashcards.models import Card, Prompt, PromptMark, PromptState, studyable_prompts
from flashcards.recall import recall_at
from lessons.models import Lesson
from search.models import Entry

PAGE_SIZE = 50
SEARCH_MAX = 200  # characters of a search; more is not a search anyone typed

NEW = 0  # the state of a prompt never studied (PromptState's states start at 1)
STATES = {
    "new": NEW,
    "learning": PromptState.State.LEARNING,
    "review": PromptState.State.REVIEW,
    "relearning": PromptState.State.RELEARNING,
}
STATE_LABELS = {NEW: "New", **{state.value: state.label for state in PromptState.State}}
# Held back from study, in the table's words. Suspension wins over a burial.
ACTIVE, BURIED, SUSPENDED = 0, 1, 2
HELD = {"active": ACTIVE, "buried": BURIED, "suspended": SUSPENDED}
HELD_LABELS = {ACTIVE: "", BURIED: "Buried", SUSPENDED: "Suspended"}
FLAGS = {"any": None, **{str(flag.value): flag.value for flag in PromptMark.Flag}}
DUE = ("overdue", "today", "week")

LESSON_ORDER = (
    *[f"card__lesson__{field}" for field in Lesson.READING_ORDER],
    "card__position",
    "card_id",
    "ordinal",
)
# Each sortable column: the expressions it sorts by. Columns that new prompts have no value
# in put them last in both directions.
SORTS = {
    "card": ("card__front",),
    "lesson": LESSON_ORDER,
    "state": ("state_code",),
    "due": ("due",),
    "stability": ("stability",),
    "difficulty": ("difficulty",),
    "recall": ("recall",),
    "lapses": ("lapses",),
    "reviews": ("review_count",),
    "flag": ("flag",),
    "held": ("held",),
}
NULLABLE = {"due", "stability", "difficulty", "recall"}
COLUMNS = (
    ("card", "Card"),
    ("lesson", "Lesson"),
    ("state", "State"),
    ("due", "Due"),
    ("stability", "Stability"),
    ("difficulty", "Difficulty"),
    ("recall", "Recall now"),
    ("lapses", "Lapses"),
    ("reviews", "Reviews"),
    ("flag", "Flag"),
    ("held", "Held back"),
)


@dataclass(frozen=True)
class CardFilters:
    """What the learner asked the list for (the GET form); anything unknown is ignored."""

    q: str = ""
    lesson: str = ""  # a lesson's slug
    state: str = ""  # a key of STATES
    flag: str = ""  # a key of FLAGS ("any": any flag at all)
    held: str = ""  # a key of HELD
    due: str = ""  # one of DUE
    sort: str = "lesson"  # a key of SORTS
    descending: bool = False

    @classmethod
    def parse(cls, data) -> CardFilters:
        def choice(name: str, allowed) -> str:
            value = data.get(name, "")
            return value if value in allowed else ""

        sort = data.get("sort", "")
        descending = sort.startswith("-")
        sort = sort.removeprefix("-")
        if sort not in SORTS:
            sort, descending = "lesson", False
        return cls(
            q=" ".join(data.get("q", "").split())[:SEARCH_MAX],
            lesson=data.get("lesson", "")[:200],
            state=choice("state", STATES),
            flag=choice("flag", FLAGS),
            held=choice("held", HELD),
            due=choice("due", DUE),
            sort=sort,
            descending=descending,
        )

    @property
    def sort_param(self) -> str:
        return f"-{self.sort}" if self.descending else self.sort


def card_rows(user, filters: CardFilters, *, now: dt.datetime, time_zone: str) -> QuerySet:
    """The learner's studyable prompts as dicts (the table's columns), filtered and sorted."""
    prompts = (
        Prompt.objects.filter(studyable_prompts(user=user))
        .annotate(
            mine=FilteredRelation("states", condition=Q(states__user=user)),
            mark=FilteredRelation("marks", condition=Q(marks__user=user)),
        )
        .annotate(
            state_code=Coalesce(F("mine__state"), Value(NEW)),
            due=F("mine__due"),
            stability=F("mine__stability"),
            difficulty=F("mine__difficulty"),
            recall=Case(
                When(mine__id__isnull=True, then=None),
                default=recall_at(now, "mine__"),
                output_field=FloatField(),
            ),
            lapses=Coalesce(F("mine__lapses"), Value(0)),
            review_count=Coalesce(F("mine__reps"), Value(0)),
            flag=Coalesce(F("mark__flag"), Value(PromptMark.Flag.NONE)),
            held=Case(
                When(mark__suspended=True, then=Value(SUSPENDED)),
                When(mark__buried_until__gt=now, then=Value(BURIED)),
                default=Value(ACTIVE),
                output_field=IntegerField(),
            ),
        )
    )
    prompts = prompts.filter(_conditions(filters, now, time_zone))
    return prompts.values(
        "pk",
        "front_html",
        "card__kind",
        "card__lesson__title",
        "card__lesson__slug",
        "state_code",
        "due",
        "stability",
        "difficulty",
        "recall",
        "lapses",
        "review_count",
        "flag",
        "held",
    ).order_by(*_ordering(filters))


def _conditions(filters: CardFilters, now: dt.datetime, time_zone: str) -> Q:
    condition = Q()
    if filters.q:
        condition &= _text_matches(filters.q)
    if filters.lesson:
        condition &= Q(card__lesson__slug=filters.lesson)
    if filters.state:
        condition &= Q(state_code=STATES[filters.state])
    if filters.flag == "any":
        condition &= Q(flag__gt=PromptMark.Flag.NONE)
    elif filters.flag:
        condition &= Q(flag=FLAGS[filters.flag])
    if filters.held:
        condition &= Q(held=HELD[filters.held])
    if filters.due:
        condition &= Q(due__lt=due_before(filters.due, now, time_zone))
    return condition


def _text_matches(q: str) -> Q:
    """A card's front, and its back unless it is a question: a question's back holds the "- [x]"
    marks and whys that say which option is right. A question's option texts are read from its
    search row instead (search.text.card_document: stem and option texts, as plain text)."""
    options = Entry.objects.filter(card_id=OuterRef("card_id"), body__icontains=q)
    question = Q(card__kind=Card.Kind.QUESTION)
    return (
        Q(card__front__icontains=q)
        | (~question & Q(card__back__icontains=q))
        | (question & Exists(options))
    )


def due_before(due: str, now: dt.datetime, time_zone: str) -> dt.datetime:
    """The learner's midnight that a due filter reads up to: "overdue" is due before today,
    "today" by tonight's midnight, "week" within the next 7 days (overdue included in both)."""
    today = local_date(now, time_zone)
    days = {"overdue": 0, "today": 1, "week": 8}[due]
    return midnight(today + dt.timedelta(days=days), time_zone)


def _ordering(filters: CardFilters) -> list:
    ordering = []
    for name in SORTS[filters.sort]:
        field = F(name)
        if filters.sort in NULLABLE:
            field = (
                field.desc(nulls_last=True) if filters.descending else field.asc(nulls_last=True)
            )
        else:
            field = field.desc() if filters.descending else field.asc()
        ordering.append(field)
    # Ties (many prompts share a state or a flag) in lesson order, then by id: a page boundary
    # falls in the same place on every request.
    return [*ordering, *LESSON_ORDER, "pk"]


@dataclass(frozen=True)
class SortHeader:
    key: str
    label: str
    param: str  # the sort a click on the header asks for
    aria_sort: str  # "ascending", "descending" or "none"


def sort_headers(filters: CardFilters) -> list[SortHeader]:
    """The table's headers: a click sorts by the column, a second click reverses it."""
    headers = []
    for key, label in COLUMNS:
        current = key == filters.sort
        descending = current and not filters.descending
        headers.append(
            SortHeader(
                key=key,
                label=label,
                param=f"-{key}" if descending else key,
                aria_sort=(
                    ("descending" if filters.descending else "ascending") if current else "none"
                ),
            )
        )
    return headers


@dataclass(frozen=True)
class CardListPage:
    filters: CardFilters
    page: Page
    rows: list[dict]  # the page's rows, with their labels
    headers: list[SortHeader]
    lessons: list[dict]  # slug and title of each lesson with cards, for the lesson filter


def card_list_page(
    user, filters: CardFilters, *, page_number, now: dt.datetime, time_zone: str
) -> CardListPage:
    """Three queries whatever the page size: the lessons, the count, the page."""
    rows = card_rows(user, filters, now=now, time_zone=time_zone)
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    labelled = [
        {
            **row,
            "state_label": STATE_LABELS[row["state_code"]],
            "held_label": HELD_LABELS[row["held"]],
            "flag_label": PromptMark.Flag(row["flag"]).label if row["flag"] else "",
        }
        for row in page.object_list
    ]
    lessons = list(
        Lesson.objects.studyable_by(user)
        .filter(pk__in=Card.objects.active().values("lesson_id"))
        .order_by(*Lesson.READING_ORDER)
        .values("slug", "title")
    )
    return CardListPage(
        filters=filters, page=page, rows=labelled, headers=sort_headers(filters), lessons=lessons
    )


# The filter form's options, as (value, label); "" is "any".
FILTER_CHOICES = {
    "state_choices": (
        ("", "Any state"),
        *((key, STATE_LABELS[value]) for key, value in STATES.items()),
    ),
    "due_choices": (
        ("", "Any time"),
        ("overdue", "Overdue"),
        ("today", "By the end of today"),
        ("week", "In the next 7 days"),
    ),
    "flag_choices": (
        ("", "Flagged or not"),
        ("any", "Any flag"),
        *((str(flag.value), flag.label) for flag in PromptMark.Flag),
    ),
    "held_choices": (
        ("", "Held back or not"),
        ("active", "Not held back"),
        ("buried", "Buried"),
        ("suspended", "Suspended"),
    ),
}
