"""Reading lessons: the home page, a topic, a lesson. Thin: a selector does the work."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from lessons import selectors


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    topics = selectors.topics_for_reader(request.user)
    return render(request, "lessons/home.html", {"topics": topics})


@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = selectors.topic_for_reader(request.user, slug)
    return render(request, "lessons/topic_detail.html", {"topic": topic})


@require_safe
def lesson_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.lesson_page_for_reader(request.user, slug)
    return render(
        request,
        "lessons/lesson_detail.html",
        {"lesson": page.lesson, "previous": page.previous, "next": page.next},
    )
