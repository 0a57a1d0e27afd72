"""How long bringing Anki reviews back takes (issue 16, item 3), as `make bench` runs it:

    python -m bench.anki_reviews [--database sqlite:///path] [--json]

A fresh database gets one lesson of PROMPTS basic cards; a learner graded each once in the
portal (so every replay merges the portal's log with Anki's). The lesson is exported as the
portal's Anki package, and REVIEWS rows of Anki's review log are written into it, spread over
the cards and over 200 days, as a learner who studied it in Anki for months would bring back.
The upload is timed by phase: reading the package, the plan (matching, the FSRS replay of
every touched prompt, preparing the statements; no transaction), and the write transaction.
Bounded: one upload, which must finish within BUDGET_S; exits non-zero when it does not.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from dataclasses import asdict, dataclass

from bench.harness import django_on_fresh_database, run_own_process

PROMPTS = 2_000
REVIEWS = 20_000
BUDGET_S = 60.0


@dataclass
class Timing:
    prompts: int
    reviews: int
    package_kb: int
    added: int
    read_s: float
    plan_s: float
    write_s: float

    @property
    def total_s(self) -> float:
        return self.read_s + self.plan_s + self.write_s


def measure(prompts: int = PROMPTS, reviews: int = REVIEWS) -> Timing:
    """Build the data and time one upload; call after django.setup() on a fresh database."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from decks import reviews as reviews_module
    from decks.package import build_package
    from decks.reading import open_package
    from decks.reviews import plan_anki_reviews
    from decks.selectors import deck_export_for
    from flashcards.card_sync import card_prompts_sync
    from flashcards.grading import review_entry, scheduler_for, store_memory
    from flashcards.models import Card, Prompt, PromptState, Review, StudySettings
    from flashcards.scheduling import review
    from flashcards.selectors import Scope
    from lessons.models import Lesson, Topic
    from tests.decks.anki_study import package_with_reviews

    topic = Topic.objects.create(title="Bench", slug="bench-anki")
    lesson = Lesson.objects.create(
        topic=topic, title="Bench", slug="bench-anki", status=Lesson.Status.PUBLISHED
    )
    cards = Card.objects.bulk_create(
        Card(lesson=lesson, front=f"Question {n}?", back=f"Answer {n}.", position=n)
        for n in range(prompts)
    )
    for card in cards:
        card_prompts_sync(card)
    user = get_user_model().objects.create_user(username="bench-anki", password="x" * 20)
    start = timezone.now() - dt.timedelta(days=220)
    # Each card graded Good once in the portal, as grade_submit logs it.
    scheduler = scheduler_for(StudySettings(user=user), fuzz=False)
    portal_reviews, states = [], []
    for prompt in Prompt.objects.filter(card__lesson=lesson):
        memory = review(None, 3, start, scheduler, prompt.pk)
        portal_reviews.append(
            review_entry(
                user=user,
                prompt_id=prompt.pk,
                rating=3,
                reviewed_at=start,
                before=None,
                after=memory,
                duration_ms=5000,
            )
        )
        state = PromptState(user=user, prompt=prompt, version=1)
        store_memory(state, memory)
        states.append(state)
    Review.objects.bulk_create(portal_reviews)
    PromptState.objects.bulk_create(states)
    notes = deck_export_for(
        user=user,
        scope=Scope.parse("lesson:bench-anki"),
        base_url="http://bench/",
        with_schedule=False,
    ).notes
    first = int((start + dt.timedelta(days=10)).timestamp() * 1000)
    step = (200 * 86_400_000) // reviews

    def rows_for(card_ids):
        return [
            (first + n * step, card_ids[n % len(card_ids)], 1 if n % 9 == 0 else 3, 5, 3, 8000, 1)
            for n in range(reviews)
        ]

    data = package_with_reviews(build_package(notes, now=timezone.now()), rows_for)

    started = time.perf_counter()
    package = open_package(data)
    package.review_count()
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    plan = plan_anki_reviews(user=user, package=package)
    plan_s = time.perf_counter() - started
    package.close()
    handler = _WritePhase()
    logger = logging.getLogger("decks.reviews")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    started = time.perf_counter()
    reviews_module.apply_anki_reviews(plan)
    apply_s = time.perf_counter() - started
    return Timing(
        prompts,
        reviews,
        len(data) // 1000,
        plan.count.added,
        read_s,
        plan_s + apply_s - handler.seconds,  # the statements are prepared before the write
        handler.seconds,
    )


class _WritePhase(logging.Handler):
    """Catches the transaction's time from decks/reviews.py's log line."""

    seconds = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"write phase took ([0-9.]+) s", record.getMessage())
        if found:
            self.seconds = float(found[1])


def table(timing: Timing) -> list[str]:
    return [
        "| Anki reviews | Prompts | Package | Added | Read (s) | Plan: match and replay (s) "
        "| Write transaction (s) | Total (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {timing.reviews:,} | {timing.prompts:,} | {timing.package_kb:,} KB "
        f"| {timing.added:,} | {timing.read_s:.2f} | {timing.plan_s:.2f} "
        f"| {timing.write_s:.2f} | {timing.total_s:.2f} |",
    ]


def run() -> Timing:
    """Measure in a process of its own (Django set up on a fresh database)."""
    found = run_own_process("bench.anki_reviews")
    return Timing(**found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="a database URL; a fresh SQLite file by default")
    parser.add_argument("--json", action="store_true", help="print JSON, not a table")
    parser.add_argument("--prompts", type=int, default=PROMPTS)
    parser.add_argument("--reviews", type=int, default=REVIEWS)
    args = parser.parse_args()
    django_on_fresh_database(args.database, "anki-reviews")
    timing = measure(args.prompts, args.reviews)
    if args.json:
        print(json.dumps(asdict(timing)))
    else:
        print("\n".join(table(timing)))
    if timing.total_s > BUDGET_S:
        sys.exit(f"Bringing the reviews back took longer than {BUDGET_S:.0f} s.")


if __name__ == "__main__":
    main()
