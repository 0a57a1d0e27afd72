"""Instructor analytics: one page showing where learners struggle, each row linked to its fix."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from analytics import selectors
from flashcards.recall import HORIZON_DAYS
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
        "horizon_days": HORIZON_DAYS,
    }
    return render(request, "analytics/overview.html", context)
