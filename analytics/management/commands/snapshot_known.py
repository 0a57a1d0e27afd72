"""Take the snapshot the roster's Known sort reads (run it hourly, e.g. from cron)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from analytics.services import known_snapshot_take


class Command(BaseCommand):
    help = "Take every learner's known per lesson, for the roster's Known sort (run hourly)."

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        written = known_snapshot_take(now=timezone.now())
        seconds = time.perf_counter() - started
        self.stdout.write(f"{written} learner-lesson figures in {seconds:.1f} s.")
