"""FSRS retrievability computed by the database, so figures over many prompts are aggregates.

`scheduling.retrievability` asks the `fsrs` package about one prompt; these expressions give
the same number for every PromptState row in a query (tests hold the two to agreement):

    R = (1 + FACTOR * elapsed_days / stability) ** DECAY

where elapsed_days counts whole days since the last review, as `fsrs` does. DECAY is minus
FSRS's last parameter: the defaults', or a learner's own once they fitted FSRS to their log
(flashcards/personal_fsrs.py); FACTOR follows from it (R is 0.9 when elapsed equals stability).

It is also the one home of what "known" means on every page (lesson lists, the lesson page,
the session summary, the dashboard, instructor analytics): see `known_horizon`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    DateTimeField,
    Expression,
    F,
    FloatField,
    Func,
    Value,
    When,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast, Coalesce, Power

from flashcards.days import learner_zone, local_date
from flashcards.scheduling import make_scheduler

_PARAMETERS = make_scheduler().parameters
DECAY_PARAMETER = 20  # FSRS 6's index of the forgetting curve's decay
DECAY = -_PARAMETERS[DECAY_PARAMETER]


def decay_of(parameters: list[float] | None) -> float:
    """The forgetting curve's decay for a learner's FSRS parameters (None: the defaults)."""
    return -parameters[DECAY_PARAMETER] if parameters else DECAY


def learner_decay(settings_path: str = "user__study_settings__") -> Coalesce:
    """Each learner's decay as an expression (analytics, over many learners): from the FSRS
    parameters in their study settings, reached through `settings_path`, else the default."""
    parameter = KeyTransform(str(DECAY_PARAMETER), f"{settings_path}fsrs_parameters")
    return Coalesce(-Cast(parameter, FloatField()), Value(DECAY), output_field=FloatField())


# "Known" looks this far ahead when the learner has no exam date: far enough that one pass
# through new cards (stability of a few days) no longer reads as known.
HORIZON_DAYS = 30
EXAM_HOUR = 12  # on an exam day, recall is taken at its midday, in the learner's time zone


@dataclass(frozen=True)
class KnownHorizon:
    """When "known" is measured for a learner: their exam day, or HORIZON_DAYS from now."""

    moment: dt.datetime
    exam_day: dt.date | None = None  # set when the moment is the exam day's midday
    days: int = HORIZON_DAYS  # how far ahead, when there is no exam day (for the page's words)
    decay: float = DECAY  # the learner's forgetting curve (their own FSRS parameters, if fitted)


def known_horizon(
    now: dt.datetime,
    *,
    exam_date: dt.date | None = None,
    time_zone: str = "UTC",
    parameters: list[float] | None = None,
) -> KnownHorizon:
    """The moment at which a learner's "known" figure is taken.

    Known is the share of a scope's live prompts the learner is expected to recall at this
    moment if they stopped studying now: the mean FSRS retrievability at it, a prompt never
    reviewed counting 0. Retrievability *now* reads about 100% straight after any review, so
    it would call a lesson known after one pass through new cards; 30 days ahead (or on the
    exam day, the day that matters, when it is still to come) a card seen once has faded
    and a card reviewed for a month has not. Recall follows the learner's own forgetting
    curve once they have fitted FSRS's `parameters` to their reviews.
    """
    decay = decay_of(parameters)
    if exam_date is not None and exam_date > local_date(now, time_zone):
        moment = dt.datetime.combine(exam_date, dt.time(EXAM_HOUR), tzinfo=learner_zone(time_zone))
        return KnownHorizon(moment=moment, exam_day=exam_date, decay=decay)
    return KnownHorizon(moment=now + dt.timedelta(days=HORIZON_DAYS), decay=decay)


class DaysSince(Func):
    """Whole days from a datetime column to `moment` (never below 0). `moment` is a datetime
    or an expression giving one (a different moment per learner, in analytics)."""

    output_field = FloatField()

    def __init__(self, expression, moment: dt.datetime | Expression) -> None:
        if isinstance(moment, dt.datetime):
            moment = Value(moment.astimezone(dt.UTC), output_field=DateTimeField())
        super().__init__(moment, expression)

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(f"DaysSince has no SQL for {connection.vendor}")

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps datetimes as UTC text, which julianday() reads.
        moment, column, params = self._compile(compiler)
        return f"MAX(0, CAST(julianday({moment}) - julianday({column}) AS INTEGER))", params

    def as_postgresql(self, compiler, connection, **extra):
        moment, column, params = self._compile(compiler)
        return (
            f"GREATEST(0, FLOOR(EXTRACT(EPOCH FROM ({moment} - {column})) / 86400.0))::float",
            params,
        )

    def _compile(self, compiler):
        moment, moment_params = compiler.compile(self.source_expressions[0])
        column, column_params = compiler.compile(self.source_expressions[1])
        return moment, column, [*moment_params, *column_params]


def recall_at(
    moment: dt.datetime | Expression, prefix: str = "", decay: float | Expression = DECAY
) -> Case:
    """The retrievability at `moment` of the PromptState reached through `prefix`; 0 for a
    state that has never been reviewed (or, through a left join, that does not exist).
    `decay`: the learner's (`decay_of`), or an expression giving each row's (`learner_decay`)."""
    stability = F(f"{prefix}stability")
    if isinstance(decay, Expression):
        factor = Power(Value(0.9), Value(1.0) / decay) - Value(1.0)
    else:
        factor, decay = Value(0.9 ** (1 / decay) - 1), Value(decay)
    return Case(
        When(
            **{f"{prefix}stability__isnull": False, f"{prefix}last_review__isnull": False},
            then=Power(
                Value(1.0) + factor * DaysSince(F(f"{prefix}last_review"), moment) / stability,
                decay,
            ),
        ),
        default=Value(0.0),
        output_field=FloatField(),
    )
