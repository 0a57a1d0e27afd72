"""Reads for the lesson pages, shaped so each page makes a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.http import Http404

from lessons.models import Lesson, Topic

# Columns a lesson list needs; the body and its HTML stay in the database.
LIST_FIELDS = ("id", "topic_id", "title", "slug", "summary", "status", "position", "date")


def topics_for_reader(user) -> list[Topic]:
    """Topics with the lessons this reader may see (as `visible_lessons`), empty topics left out."""
    return [topic for topic in _topics_with_visible_lessons(user) if topic.visible_lessons]


def topic_for_reader(user, slug: str) -> Topic:
    topic = _topics_with_visible_lessons(user).filter(slug=slug).first()
    if topic is None or not topic.visible_lessons:
        raise Http404("No such topic.")
    return topic


def _topics_with_visible_lessons(user):
    lessons = Lesson.objects.visible_to(user).only(*LIST_FIELDS).order_by("position", "title", "id")
    return Topic.objects.prefetch_related(
        Prefetch("lessons", queryset=lessons, to_attr="visible_lessons")
    )


@dataclass(frozen=True)
class LessonPage:
    lesson: Lesson
    previous: Lesson | None
    next: Lesson | None


def lesson_page_for_reader(user, slug: str) -> LessonPage:
    """The lesson with its neighbours in reading order, or 404 if this reader may not see it.

    Three queries whatever the number of lessons: the lesson with its topic, and one indexed
    LIMIT 1 query for each neighbour.
    """
    visible = Lesson.objects.visible_to(user)
    try:
        lesson = visible.select_related("topic").get(slug=slug)
    except Lesson.DoesNotExist:
        raise Http404("No such lesson.") from None

    key = reading_key(lesson)
    neighbours = visible.only("id", "title", "slug", "status")
    previous = (
        neighbours.filter(before_in_order(Lesson.READING_ORDER, key))
        .order_by(*(f"-{field}" for field in Lesson.READING_ORDER))
        .first()
    )
    following = (
        neighbours.filter(after_in_order(Lesson.READING_ORDER, key))
        .order_by(*Lesson.READING_ORDER)
        .first()
    )
    return LessonPage(lesson=lesson, previous=previous, next=following)


def reading_key(lesson: Lesson) -> tuple:
    """The lesson's values for each field of `Lesson.READING_ORDER`."""
    topic = lesson.topic
    return (topic.position, topic.title, topic.id, lesson.position, lesson.title, lesson.id)


def after_in_order(fields: tuple[str, ...], values: tuple) -> Q:
    """Rows that sort strictly after `values` when ordered by `fields` (all ascending)."""
    return _lexicographic(fields, values, "gt")


def before_in_order(fields: tuple[str, ...], values: tuple) -> Q:
    """Rows that sort strictly before `values` when ordered by `fields` (all ascending)."""
    return _lexicographic(fields, values, "lt")


def _lexicographic(fields: tuple[str, ...], values: tuple, lookup: str) -> Q:
    # (a, b, c) > (x, y, z)  <=>  a > x  or  (a = x and b > y)  or  (a = x and b = y and c > z)
    condition = Q()
    for index, field in enumerate(fields):
        equal_prefix = dict(zip(fields[:index], values[:index], strict=True))
        condition |= Q(**equal_prefix, **{f"{field}__{lookup}": values[index]})
    return condition
