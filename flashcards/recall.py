"""FSRS retrievability computed by the database, so figures over many prompts are aggregates.

`scheduling.retrievability` asks the `fsrs` package about one prompt; these expressions give
the same number for every PromptState row in a query (tests hold the two to agreement):

    R = (1 + FACTOR * elapsed_days / stability) ** DECAY

where elapsed_days counts whole days since the last review, as `fsrs` does.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, FloatField, Func, Value, When
from django.db.models.functions import Power

from flashcards.scheduling import make_scheduler

_PARAMETERS = make_scheduler().parameters
DECAY = -_PARAMETERS[20]
FACTOR = 0.9 ** (1 / DECAY) - 1


class DaysSince(Func):
    """Whole days from a datetime column to `moment` (never below 0)."""

    output_field = FloatField()

    def __init__(self, expression, moment: dt.datetime) -> None:
        super().__init__(expression)
        self.moment = moment.astimezone(dt.UTC)

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(f"DaysSince has no SQL for {connection.vendor}")

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps datetimes as UTC text, which julianday() reads.
        column, params = compiler.compile(self.source_expressions[0])
        moment = self.moment.replace(tzinfo=None).isoformat(sep=" ")
        return f"MAX(0, CAST(julianday(%s) - julianday({column}) AS INTEGER))", [
            moment,
            *params,
        ]

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return (
            f"GREATEST(0, FLOOR(EXTRACT(EPOCH FROM (%s - {column})) / 86400.0))::float",
            [self.moment, *params],
        )


def recall_at(moment: dt.datetime, prefix: str = "") -> Case:
    """The retrievability at `moment` of the PromptState reached through `prefix`; 0 for a
    state that has never been reviewed."""
    stability = F(f"{prefix}stability")
    return Case(
        When(
            **{f"{prefix}stability__isnull": False, f"{prefix}last_review__isnull": False},
            then=Power(
                Value(1.0)
                + Value(FACTOR) * DaysSince(F(f"{prefix}last_review"), moment) / stability,
                Value(DECAY),
            ),
        ),
        default=Value(0.0),
        output_field=FloatField(),
    )
