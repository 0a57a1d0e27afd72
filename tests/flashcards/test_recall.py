"""The database's retrievability agrees with the fsrs package's, on both databases."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.contrib.auth import get_user_model

from flashcards.models import PromptState
from flashcards.recall import recall_at
from flashcards.scheduling import Memory, make_scheduler, retrievability
from tests.conftest import make_card

pytestmark = pytest.mark.django_db


def test_recall_in_sql_matches_fsrs_for_many_states():
    rng = random.Random(7)
    now = dt.datetime(2026, 6, 1, 9, 17, 23, 450000, tzinfo=dt.UTC)
    prompt = make_card().prompts.get()
    # Unusable passwords: hashing 62 of them would be most of this test's time.
    User = get_user_model()
    users = iter(User.objects.bulk_create(User(username=f"reader{n}") for n in range(62)))
    states = []
    for _ in range(60):
        last = now - dt.timedelta(seconds=rng.randint(0, 400 * 86400))
        states.append(
            PromptState(
                user=next(users),
                prompt=prompt,
                state=2,
                step=None,
                due=now,
                stability=rng.uniform(0.1, 300),
                difficulty=5,
                last_review=last,
            )
        )
    # A prompt seen only in learning may have no stability yet; a future review counts 0 days.
    states.append(
        PromptState(
            user=next(users),
            prompt=prompt,
            state=1,
            step=0,
            due=now,
            stability=None,
            last_review=now,
        )
    )
    states.append(
        PromptState(
            user=next(users),
            prompt=prompt,
            state=2,
            due=now,
            stability=3,
            last_review=now + dt.timedelta(days=2),
        )
    )
    PromptState.objects.bulk_create(states)

    scheduler = make_scheduler()
    rows = PromptState.objects.annotate(recall=recall_at(now)).order_by("pk")
    for row in rows:
        memory = Memory.from_row(row)
        expected = retrievability(memory, now, scheduler) if row.stability else 0.0
        assert row.recall == pytest.approx(expected, abs=1e-9), (row.stability, row.last_review)
