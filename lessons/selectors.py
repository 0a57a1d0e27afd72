"""Reads for the lesson pages, shaped so each page makes a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.urls import reverse

from lessons.models import Lesson, Topic
from pagecache.kept import kept_for_content
from portal.markdown import split_embeds
from trees.selectors import trees_by_slug
from trees.widgets import Widget, build_widget, path_param

# Columns a lesson list needs; the body and its HTML stay in the database.
LIST_FIELDS = ("id", "topic_id", "title", "slug", "summary", "status", "position", "date")


def private_reader(user) -> int | None:
    """The id of `user` if they own a private topic, else None. What a learner may read or study
    depends on who they are only through their private topics, so a read kept per content
    version (pagecache.kept) is kept once for every learner without any, under None, rather
    than once per learner."""
    if user is None or not user.is_authenticated:
        return None
    owners = kept_for_content(
        "lessons:private-topic-owners",
        lambda: frozenset(
            Topic.objects.filter(owner__isnull=False).values_list("owner_id", flat=True)
        ),
    )
    return user.pk if user.pk in owners else None


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
class Neighbour:
    """The previous or next lesson, as the pager shows it."""

    slug: str
    title: str

    def get_absolute_url(self) -> str:
        return reverse("lessons:lesson", args=[self.slug])


@dataclass(frozen=True)
class LessonPage:
    lesson: Lesson
    previous: Neighbour | None
    next: Neighbour | None


def lesson_page_for_reader(user, slug: str) -> LessonPage:
    """The lesson with its neighbours in reading order, or 404 if this reader may not see it.

    Two queries whatever the number of lessons: the lesson with its topic, and the reading
    order as (id, slug, title) rows. A course has tens or hundreds of lessons, so reading that
    small ordered list costs less than the ORM work of two lexicographic "next row" queries.
    """
    visible = Lesson.objects.visible_to(user)
    try:
        lesson = visible.select_related("topic").get(slug=slug)
    except Lesson.DoesNotExist:
        raise Http404("No such lesson.") from None
    order = list(visible.in_reading_order().values_list("id", "slug", "title"))
    index = next(position for position, row in enumerate(order) if row[0] == lesson.pk)
    return LessonPage(
        lesson=lesson,
        previous=Neighbour(*order[index - 1][1:]) if index > 0 else None,
        next=Neighbour(*order[index + 1][1:]) if index + 1 < len(order) else None,
    )


@dataclass(frozen=True)
class BodyPart:
    kind: str  # "html" or "tree"
    html: str = ""
    slug: str = ""
    widget: Widget | None = None  # None for a tree that does not exist


def lesson_body_parts(*, body_html: str, user, page_path: str, query: QueryDict) -> list[BodyPart]:
    """The lesson's HTML cut at its tree markers, each tree at the step `query` names.

    Reads only: the lesson page records a learner's step itself, and the admin's live preview
    draws the same parts without recording anything.
    """
    pieces = split_embeds(body_html)
    trees = trees_by_slug([value for kind, value in pieces if kind == "tree"], user)
    parts = []
    for kind, value in pieces:
        if kind == "html":
            parts.append(BodyPart(kind="html", html=value))
            continue
        tree = trees.get(value)
        widget = None
        if tree is not None:
            widget = build_widget(
                tree=tree,
                raw_path=query.get(path_param(tree.slug)),
                page_path=page_path,
                query=query,
                user=user,
            )
        parts.append(BodyPart(kind="tree", slug=value, widget=widget))
    return parts
