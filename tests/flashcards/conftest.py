"""Helpers for the flashcards tests: a signed grade token for a prompt, a learner's state, a
simulated review log."""

from __future__ import annotations

import datetime as dt
import random

from flashcards.management.commands.generate_dataset import simulated_card_log
from flashcards.models import PromptState, Review
from flashcards.scheduling import make_scheduler, retrievability
from flashcards.tokens import grade_token
from tests.conftest import make_card, make_lesson, sync_questions

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def token_for(user, prompt, version=0, shown_at=NOW):
    return grade_token(user_id=user.pk, prompt_id=prompt.pk, version=version, shown_at=shown_at)


def state_of(user, prompt) -> PromptState | None:
    return PromptState.objects.filter(user=user, prompt=prompt).first()


T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def simulated_log(user, *, cards: int, days: int, seed: int = 3) -> int:
    """A learner who forgets faster than FSRS's defaults expect: each review recalls with
    probability R**2 (R: the defaults' prediction), so a fit has something to correct.
    Writes reviews and states as grading would; returns the number of reviews."""
    rng = random.Random(seed)
    scheduler = make_scheduler()
    lesson = make_lesson()
    reviews, states = [], []
    for _ in range(cards):
        prompt = make_card(lesson=lesson).prompts.get()

        def rate(memory, when) -> int:
            recall = retrievability(memory, when, scheduler) ** 2 if memory else 0.6
            return 1 if rng.random() > recall else rng.choices((2, 3, 4), (2, 12, 3))[0]

        card_reviews, state = simulated_card_log(
            user,
            prompt,
            first=T0 + dt.timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600)),
            until=T0 + dt.timedelta(days=days),
            scheduler=scheduler,
            rate=rate,
            duration_ms=lambda: 5000,
        )
        reviews += card_reviews
        states.append(state)
    Review.objects.bulk_create(reviews)
    PromptState.objects.bulk_create(states)
    return len(reviews)


ONE_RIGHT = """Q: A table was dropped 20 minutes ago. Which gets its rows back?
- [ ] Restore the latest manual snapshot over the instance.
  why: A snapshot is always restored to a new DB instance.
- [x] Restore to a point in time just before the drop.
  why: Point-in-time recovery restores to any second of the retention period.
- [ ] Rewind the RDS for MySQL instance with Backtrack.
  why: Backtrack is for Aurora MySQL only.
section: snapshots
"""

TWO_RIGHT = """Q: Which two keep a copy past 35 days?
- [x] A manual snapshot.
  why: Kept until you delete it.
- [ ] An automated backup.
  why: Kept at most 35 days.
- [x] AWS Backup with a long retention.
  why: Its plans can keep backups for years.
- [ ] Backtrack.
  why: Rewinds at most 72 hours.
"""


def make_questions(text: str, lesson=None) -> list:
    """The prompts of a note's questions block (each question's one), in order."""
    return sync_questions(text, lesson or make_lesson(body="## Snapshots\n\ntext\n"))


def make_question(text: str = ONE_RIGHT, lesson=None):
    """A question card's one prompt, synced as a note's questions block makes it."""
    return make_questions(text, lesson)[-1]
