"""A learner's own progress: the "My progress" dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from progress.dashboard import build_dashboard


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    board = build_dashboard(request.user, timezone.now())
    return render(request, "progress/dashboard.html", {"board": board})
