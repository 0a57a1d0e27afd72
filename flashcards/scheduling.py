"""FSRS scheduling through the `fsrs` package (py-fsrs 6). Pure functions, no database.

`Memory` is a plain copy of a PromptState's scheduling fields; it converts to and from
`fsrs.Card`, and to the JSON kept in the review log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace

from fsrs import Card, Rating, Scheduler, State
from fsrs import scheduler as fsrs_scheduler

# The ranges FSRS keeps a memory in (it clamps its own results to them): a stability of at
# least STABILITY_MIN days, and finite; a difficulty within DIFFICULTY_RANGE. A stored memory
# outside them breaks its maths (a stability of 0 divides by zero).
STABILITY_MIN = fsrs_scheduler.STABILITY_MIN
DIFFICULTY_RANGE = (fsrs_scheduler.MIN_DIFFICULTY, fsrs_scheduler.MAX_DIFFICULTY)

REVIEW = State.Review.value
AGAIN = Rating.Again.value
RATINGS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Memory:
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: dt.datetime
    last_review: dt.datetime | None
    reps: int = 0
    lapses: int = 0

    def to_json(self) -> dict:
        data = asdict(self)
        data["due"] = self.due.isoformat()
        data["last_review"] = self.last_review.isoformat() if self.last_review else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> Memory:
        return cls(
            **{
                **data,
                "due": dt.datetime.fromisoformat(data["due"]),
                "last_review": (
                    dt.datetime.fromisoformat(data["last_review"]) if data["last_review"] else None
                ),
            }
        )

    @classmethod
    def from_row(cls, row) -> Memory:
        """From anything with the PromptState field names (a model or a values() dict)."""
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
        return cls(**{name: get(name) for name in cls.__dataclass_fields__})

    def to_fsrs(self, card_id: int) -> Card:
        return Card(
            card_id=card_id,
            state=State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )


def make_scheduler(
    *,
    desired_retention: float = 0.9,
    maximum_interval: int = 36500,
    fuzz: bool = False,
    parameters: list[float] | None = None,
) -> Scheduler:
    """`parameters`: the learner's own (see personal_fsrs); None for FSRS's defaults."""
    return Scheduler(
        parameters=parameters or fsrs_scheduler.DEFAULT_PARAMETERS,
        desired_retention=desired_retention,
        maximum_interval=maximum_interval,
        enable_fuzzing=fuzz,
    )


def interval_cap(maximum_interval: int, exam_date: dt.date | None, today: dt.date) -> int:
    """The longest interval allowed today: the learner's maximum, and, while an exam is ahead,
    short of the exam day, so that every prompt comes back at least once before it.

    An exam tomorrow allows only one day (the shortest review interval FSRS gives); an exam
    today or past no longer limits anything.
    """
    if exam_date is None or exam_date <= today:
        return maximum_interval
    return max(1, min(maximum_interval, (exam_date - today).days - 1))


def interval_days(memory: Memory | None) -> int | None:
    """The interval a prompt in review was given, in whole days; None if not in review."""
    if memory is None or memory.state != REVIEW or memory.last_review is None:
        return None
    return max(0, round((memory.due - memory.last_review).total_seconds() / 86400))


def review(
    memory: Memory | None, rating: int, now: dt.datetime, scheduler: Scheduler, card_id: int
) -> Memory:
    """The memory after grading `rating` at `now`; None is a prompt never studied."""
    now = now.astimezone(dt.UTC)
    card = memory.to_fsrs(card_id) if memory else Card(card_id=card_id, due=now)
    reviewed, _log = scheduler.review_card(card, Rating(rating), review_datetime=now)
    lapsed = memory is not None and memory.state == REVIEW and rating == AGAIN
    return Memory(
        state=reviewed.state.value,
        step=reviewed.step,
        stability=reviewed.stability,
        difficulty=reviewed.difficulty,
        due=reviewed.due,
        last_review=reviewed.last_review,
        reps=(memory.reps if memory else 0) + 1,
        lapses=(memory.lapses if memory else 0) + (1 if lapsed else 0),
    )


def preview_intervals(
    memory: Memory | None, now: dt.datetime, scheduler: Scheduler, card_id: int
) -> dict[int, dt.timedelta]:
    """For each rating, how long until the prompt would come back."""
    return {
        rating: review(memory, rating, now, scheduler, card_id).due - now.astimezone(dt.UTC)
        for rating in RATINGS
    }


def format_interval(delta: dt.timedelta) -> str:
    """Short, as on the grade buttons: '1m', '10m', '3h', '4d', '2mo', '1.5y'."""
    seconds = max(0, delta.total_seconds())
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{round(days / 30)}mo"
    years = days / 365
    return f"{years:.1f}y".replace(".0y", "y")


def retrievability(memory: Memory | None, now: dt.datetime, scheduler: Scheduler) -> float:
    """FSRS's probability of recalling the prompt at `now` (0 for a prompt never studied)."""
    if memory is None:
        return 0.0
    return float(scheduler.get_card_retrievability(memory.to_fsrs(0), now.astimezone(dt.UTC)))


def with_due(memory: Memory, due: dt.datetime) -> Memory:
    return replace(memory, due=due)
