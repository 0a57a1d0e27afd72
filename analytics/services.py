"""Writes for instructor analytics: the snapshot the roster's Known sort reads."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum

from analytics.models import KnownSnapshot
from analytics.selectors import known_moment_per_learner
from flashcards.models import PromptState
from flashcards.recall import learner_decay, recall_at
from flashcards.selectors import Scope


def known_snapshot_take(*, now: dt.datetime) -> int:
    """Replace the snapshot with every learner's "known" per lesson as of `now` (the roster's
    own definition: `recall_at` at each learner's known moment, on their own decay). One
    grouped query over all card states, then one insert; returns the rows written.

    The grouped read (seconds at 10,000 learners) runs before the transaction: on SQLite a
    transaction takes the write lock at BEGIN, and grades must not wait for the read. Only the
    swap (a delete and a bulk insert, a fraction of a second) holds the lock."""
    sums = (
        PromptState.objects.filter(Scope().conditions("prompt__"))
        .values("user_id", "prompt__card__lesson_id")
        .annotate(recalled=Sum(recall_at(known_moment_per_learner(now), decay=learner_decay())))
        .order_by()
    )
    snapshot = [
        KnownSnapshot(
            user_id=row["user_id"],
            lesson_id=row["prompt__card__lesson_id"],
            recalled=row["recalled"] or 0.0,
            taken_at=now,
        )
        for row in sums.iterator(chunk_size=5000)
    ]
    with transaction.atomic():
        KnownSnapshot.objects.all().delete()
        KnownSnapshot.objects.bulk_create(snapshot, batch_size=2000)
    return len(snapshot)


def known_snapshot_time() -> dt.datetime | None:
    """When the snapshot was taken; None before the first, or while no learner has a card
    (when sorting live costs next to nothing)."""
    first = KnownSnapshot.objects.only("taken_at").first()
    return first.taken_at if first else None
