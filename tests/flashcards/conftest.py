"""Helpers for the flashcards tests: a signed grade token for a prompt, a learner's state, a
simulated review log."""

from __future__ import annotations

import datetime as dt
import random

from flashcards.grading import review_entry, store_memory
from flashcards.models import PromptState, Review
from flashcards.scheduling import make_scheduler, retrievability, review
from flashcards.tokens import grade_token
from tests.conftest import make_card, make_lesson

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
        when = T0 + dt.timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))
        memory = None
        while when < T0 + dt.timedelta(days=days):
            recall = retrievability(memory, when, scheduler) ** 2 if memory else 0.6
            rating = 1 if rng.random() > recall else rng.choices((2, 3, 4), (2, 12, 3))[0]
            before, memory = memory, review(memory, rating, when, scheduler, prompt.pk)
            reviews.append(
                review_entry(
                    user=user,
                    prompt_id=prompt.pk,
                    rating=rating,
                    reviewed_at=when,
                    before=before,
                    after=memory,
                    duration_ms=5000,
                )
            )
            when = max(memory.due, when + dt.timedelta(minutes=1))
        state = PromptState(user=user, prompt=prompt, version=memory.reps)
        store_memory(state, memory)
        states.append(state)
    Review.objects.bulk_create(reviews)
    PromptState.objects.bulk_create(states)
    return len(reviews)
