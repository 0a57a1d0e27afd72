"""The roster (/analytics/learners/) timed in-process inside the benchmarked database, as
`make bench` runs it after the large data set's endpoints (bench/run.py):

    python -m bench.roster [--requests N] [--no-snapshot]

Through Django's test client with debug off, signed in as an instructor made for the run: the
request's own Python and SQL, no server or network (a page for one instructor at a time, not a
throughput). First the Known snapshot is taken, as the hourly job (`manage.py snapshot_known`)
would have; then each kind gets WARMUP requests and `--requests` timed ones, one at a time.
Prints JSON: per kind, the median and slowest request in ms, the queries of the first, and
the path; plus how long the snapshot took.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

BAR_MS = 300.0  # issue 14: the roster at 10,000 learners answers within this
WARMUP = 2
MARKER = b'id="learners-count"'


def kinds(lesson_slug: str) -> dict[str, str]:
    """The roster requests timed, by name: the default order, the costly sorts, the filter."""
    return {
        "First page (by name)": "/analytics/learners/",
        "By Known": "/analytics/learners/?sort=-known",
        "By due now": "/analytics/learners/?sort=-due",
        "By reviews in 7 days": "/analytics/learners/?sort=-reviews_7",
        "One lesson, by Known": f"/analytics/learners/?lesson={lesson_slug}&sort=-known",
    }


def summary(walls_ms: list[float]) -> dict[str, float]:
    return {"median_ms": statistics.median(walls_ms), "max_ms": max(walls_ms)}


def measure(requests: int, snapshot: bool) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.services import instructor_grant
    from analytics.models import KnownSnapshot
    from analytics.services import known_snapshot_take
    from lessons.models import Lesson

    results: dict = {"bar_ms": BAR_MS}
    if snapshot:
        started = time.perf_counter()
        results["snapshot_rows"] = known_snapshot_take(now=timezone.now())
        results["snapshot_s"] = time.perf_counter() - started
    else:  # as before the first snapshot: the Known sort computes every learner's live
        KnownSnapshot.objects.all().delete()
    instructor, _ = get_user_model().objects.get_or_create(username="bench-instructor")
    instructor_grant(user=instructor)
    client = Client(SERVER_NAME="localhost")  # bench settings allow loopback names only
    client.force_login(instructor)
    lesson = Lesson.objects.published().in_reading_order().first()

    def get(path: str) -> None:
        response = client.get(path)
        if response.status_code != 200 or MARKER not in response.content:
            raise SystemExit(f"{path}: {response.status_code} {response.content[:300]!r}")

    results["kinds"] = {}
    for name, path in kinds(lesson.slug if lesson else "").items():
        queries = []  # counted as sent: the test client empties Django's query log per request

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            get(path)
        for _ in range(WARMUP):
            get(path)
        walls = []
        for _ in range(requests):
            started = time.perf_counter()
            get(path)
            walls.append((time.perf_counter() - started) * 1000)
        results["kinds"][name] = {"path": path, "queries": len(queries), **summary(walls)}
    return results


def table(results: dict) -> list[str]:
    """The figures as Markdown lines for docs/PERFORMANCE.md."""
    bar = results["bar_ms"]
    lines = [
        f"| Roster request | median ms | slowest ms | queries | within {bar:.0f} ms |",
        "|---|---:|---:|---:|:---:|",
    ]
    for name, figures in results["kinds"].items():
        met = "yes" if figures["max_ms"] <= bar else "**no**"
        lines.append(
            f"| {name} | {figures['median_ms']:.0f} | {figures['max_ms']:.0f} | "
            f"{figures['queries']} | {met} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--no-snapshot", action="store_true", help="Sort by the live figure.")
    args = parser.parse_args()
    print(json.dumps(measure(args.requests, snapshot=not args.no_snapshot)))


if __name__ == "__main__":
    main()
