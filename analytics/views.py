"""Instructor analytics: where learners struggle (each row linked to its fix), and each learner's
progress: the roster, one learner's page and the roster as CSV; each exam-style question's
figures."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from analytics import questions as question_analytics
from analytics import roster, selectors, services
from flashcards.models import LEECH_LAPSES
from flashcards.recall import HORIZON_DAYS
from flashcards.selectors import Scope, horizon_for, mastery_by_lesson, study_settings_for
from lessons.models import Lesson
from portal.numbers import whole_number
from progress import charts

# Whoever may edit lessons may see what in them to fix; learners are refused (403).
INSTRUCTOR_PERMISSION = "lessons.change_lesson"


@login_required
@permission_required(INSTRUCTOR_PERMISSION, raise_exception=True)
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    weekly = selectors.active_learners_per_week(now.date())
    context = {
        "cards": list(selectors.hardest_cards()),
        "questions": selectors.tree_trouble(),
        "spread": selectors.mastery_spread(now),
        "bands": [label for _low, label in selectors.BANDS],
        "weekly": weekly,
        "weekly_chart": charts.bar_chart(weekly, label_every=2),
        "min_reviews": selectors.MIN_REVIEWS,
        "leech_lapses": LEECH_LAPSES,
        "horizon_days": HORIZON_DAYS,
    }
    return render(request, "analytics/overview.html", context)


def _known_snapshot_for(sort: str) -> dt.datetime | None:
    """When sorting by known, the snapshot's time (None before the first): see
    `analytics.models.KnownSnapshot`. Other sorts need not read it."""
    return services.known_snapshot_time() if sort.lstrip("-") == "known" else None


def _roster_request(request: HttpRequest) -> tuple[str, Scope, Lesson | None]:
    """The roster's ?sort= and ?lesson= (a published lesson's slug; anything else: all)."""
    sort = roster.parse_sort(request.GET.get("sort"))
    lesson = (
        Lesson.objects.published().filter(slug=request.GET["lesson"]).only("id", "slug").first()
        if request.GET.get("lesson")
        else None
    )
    return sort, Scope("lesson", lesson.slug) if lesson else Scope(), lesson


@login_required
@permission_required(INSTRUCTOR_PERMISSION, raise_exception=True)
@require_safe
def learners(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    sort, scope, lesson = _roster_request(request)
    known_snapshot = _known_snapshot_for(sort)
    page = roster.roster_page(
        now, scope=scope, sort=sort, known_snapshot=known_snapshot, number=request.GET.get("page")
    )
    context = {
        "page": page,
        "rows": roster.rows(page.object_list, roster.live_prompt_count(scope)),
        "headers": roster.sort_headers(sort),
        "sort": sort,
        "known_snapshot": known_snapshot,
        "lesson": lesson,
        "lessons": Lesson.objects.published().in_reading_order().only("id", "title", "slug"),
        "horizon_days": HORIZON_DAYS,
        "overdue_days": roster.OVERDUE_AFTER.days,
        "leech_lapses": LEECH_LAPSES,
    }
    return render(request, "analytics/learners.html", context)


@login_required
@permission_required(INSTRUCTOR_PERMISSION, raise_exception=True)
@require_safe
def learners_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every learner, the roster's columns, streamed: the file is written as it is read."""
    now = timezone.now()
    sort, scope, lesson = _roster_request(request)
    prompt_count = roster.live_prompt_count(scope)
    learners_ = roster.roster(now, scope=scope, sort=sort, known_snapshot=_known_snapshot_for(sort))
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(roster.csv_header())
        for user in learners_.iterator(chunk_size=500):
            (row,) = roster.rows([user], prompt_count)
            yield writer.writerow(roster.csv_row(row))

    name = f"learners-{lesson.slug}" if lesson else "learners"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{now:%Y-%m-%d}.csv"'
    return response


class _Echo:
    """A file for csv.writer that hands each line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


@login_required
@permission_required(INSTRUCTOR_PERMISSION, raise_exception=True)
@require_safe
def learner(request: HttpRequest, learner_id: int) -> HttpResponse:
    now = timezone.now()
    user = get_object_or_404(roster.learners().only("id", "username"), pk=learner_id)
    (figures,) = roster.rows(
        roster.roster(now).filter(pk=user.pk), roster.live_prompt_count(Scope())
    )
    study_settings = study_settings_for(user)
    horizon = horizon_for(study_settings, now)
    lessons = list(
        Lesson.objects.published().in_reading_order().only("id", "title", "slug", "topic_id")
    )
    mastery = mastery_by_lesson(user, [lesson.pk for lesson in lessons], horizon)
    context = {
        "learner": user,
        "figures": figures,
        "lessons": [(lesson, mastery[lesson.pk]) for lesson in lessons if lesson.pk in mastery],
        "horizon": horizon,
        "cards": roster.hardest_cards_of(user),
        "walks": roster.walks_of(user),
        "leech_lapses": LEECH_LAPSES,
    }
    return render(request, "analytics/learner.html", context)


@login_required
@permission_required(INSTRUCTOR_PERMISSION, raise_exception=True)
@require_safe
def questions(request: HttpRequest) -> HttpResponse:
    """Each exam-style question's difficulty and its options' pick rates, a page at a time."""
    sort = roster.parse_sort(
        request.GET.get("sort"), question_analytics.SORT_KEYS, question_analytics.DEFAULT_SORT
    )
    card_id = whole_number(request.GET.get("card"))  # one question, from its admin page
    rows = question_analytics.question_figures(sort, card_id)
    page = Paginator(rows, question_analytics.PAGE_SIZE).get_page(request.GET.get("page"))
    question_analytics.options_fill(page.object_list)
    headers = roster.sort_headers(sort, question_analytics.COLUMNS)
    context = {
        "page": page,
        "headers": {header.key: header for header in headers},
        "sort": sort,
        "card_id": card_id,
        "rare_pick": question_analytics.RARE_PICK,
        "flag_after": question_analytics.FLAG_AFTER,
    }
    return render(request, "analytics/questions.html", context)
