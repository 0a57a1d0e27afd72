"""Reading lessons: the home page, a topic, a lesson. Thin: selectors do the work."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from flashcards.recall import KnownHorizon, known_horizon
from flashcards.selectors import horizon_for, mastery_by_lesson, study_settings_for
from lessons import selectors
from lessons.selectors import BodyPart, lesson_body_parts
from pagecache.pages import reading_page
from trees.services import walk_record
from trees.widgets import is_a_step


@require_safe
@reading_page
def home(request: HttpRequest) -> HttpResponse:
    topics = selectors.topics_for_reader(request.user)
    horizon = None
    if request.user.is_authenticated:  # visitors see an invitation, not per-lesson bars
        horizon = _attach_mastery(
            request.user, [lesson for topic in topics for lesson in topic.visible_lessons]
        )
    return render(request, "lessons/home.html", {"topics": topics, "horizon": horizon})


@require_safe
@reading_page
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = selectors.topic_for_reader(request.user, slug)
    horizon = None
    if request.user.is_authenticated:
        horizon = _attach_mastery(request.user, topic.visible_lessons)
    return render(request, "lessons/topic_detail.html", {"topic": topic, "horizon": horizon})


@require_safe
@reading_page
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
    """The lesson's parts, each tree at the step the URL names; a learner's step is recorded."""
    parts = lesson_body_parts(
        body_html=body_html, user=request.user, page_path=request.path, query=request.GET
    )
    if is_a_step(request):
        for part in parts:
            if part.widget is not None:
                walk_record(
                    session=request.session,
                    user=request.user,
                    tree=part.widget.tree,
                    walk=part.widget.walk,
                )
    return parts
