"""Reading lessons: the home page, a topic, a lesson. Thin: selectors do the work."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from flashcards.recall import KnownHorizon, known_horizon
from flashcards.selectors import horizon_for, mastery_by_lesson, study_settings_for
from lessons import selectors
from portal.markdown import split_embeds
from trees.selectors import trees_by_slug
from trees.services import walk_record
from trees.widgets import Widget, build_widget, is_a_step, path_param


@dataclass(frozen=True)
class BodyPart:
    kind: str  # "html" or "tree"
    html: str = ""
    slug: str = ""
    widget: Widget | None = None  # None for a tree that does not exist


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    topics = selectors.topics_for_reader(request.user)
    horizon = None
    if request.user.is_authenticated:  # visitors see an invitation, not per-lesson bars
        horizon = _attach_mastery(
            request.user, [lesson for topic in topics for lesson in topic.visible_lessons]
        )
    return render(request, "lessons/home.html", {"topics": topics, "horizon": horizon})


@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = selectors.topic_for_reader(request.user, slug)
    horizon = None
    if request.user.is_authenticated:
        horizon = _attach_mastery(request.user, topic.visible_lessons)
    return render(request, "lessons/topic_detail.html", {"topic": topic, "horizon": horizon})


@require_safe
def lesson_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.lesson_page_for_reader(request.user, slug)
    horizon = _attach_mastery(request.user, [page.lesson])
    return render(
        request,
        "lessons/lesson_detail.html",
        {
            "lesson": page.lesson,
            "previous": page.previous,
            "next": page.next,
            "body_parts": _body_parts(request, page.lesson.body_html),
            "can_edit_trees": request.user.has_perm("trees.change_tree"),
            "horizon": horizon,
        },
    )


def _attach_mastery(user, lessons: list) -> KnownHorizon:
    """Give each lesson `mastery` (a LessonMastery, or None when it has no cards), and say when
    "known" is measured. A visitor's lessons get card counts only: the horizon reads nothing."""
    now = timezone.now()
    horizon = (
        horizon_for(study_settings_for(user), now) if user.is_authenticated else known_horizon(now)
    )
    found = mastery_by_lesson(user, [lesson.pk for lesson in lessons], horizon)
    for lesson in lessons:
        lesson.mastery = found.get(lesson.pk)
    return horizon


def _body_parts(request: HttpRequest, body_html: str) -> list[BodyPart]:
    """The lesson's HTML cut at its tree markers, each tree at the step the URL names."""
    pieces = split_embeds(body_html)
    trees = trees_by_slug([value for kind, value in pieces if kind == "tree"], request.user)
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
                raw_path=request.GET.get(path_param(tree.slug)),
                page_path=request.path,
                query=request.GET,
                user=request.user,
            )
            if is_a_step(request):
                walk_record(session=request.session, user=request.user, tree=tree, walk=widget.walk)
        parts.append(BodyPart(kind="tree", slug=value, widget=widget))
    return parts
