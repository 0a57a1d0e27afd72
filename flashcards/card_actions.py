"""What a learner does to several of their cards at once from "My cards": suspend, unsuspend,
forget (make new again, history kept) and reschedule (set the due date, Anki's "set due date").

Suspending goes through `marks.marks_change`, the one writer of marks. Forget and reschedule
change the learner's states and are logged as `ManualChange`s, so that `states_rebuild`, which
otherwise replays the review log alone, reaches the same states.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from django.db import transaction

from flashcards.days import local_date, midnight
from flashcards.marks import marks_change
from flashcards.models import MAXIMUM_INTERVAL_RANGE, ManualChange, NewAgain, Prompt, PromptState

SUSPEND = "suspend"
UNSUSPEND = "unsuspend"
FORGET = "forget"
RESCHEDULE = "reschedule"
ACTIONS = (
    (SUSPEND, "Suspend"),
    (UNSUSPEND, "Unsuspend"),
    (FORGET, "Forget (make new again)"),
    (RESCHEDULE, "Set due date"),
)
DAYS_MAX = MAXIMUM_INTERVAL_RANGE[1]
_DAY_RANGE = re.compile(r"\s*([0-9]{1,5})\s*(?:[-–]\s*([0-9]{1,5})\s*)?")


@dataclass(frozen=True)
class DayRange:
    """Due in `low` to `high` days (0: today), each prompt's day picked at random within."""

    low: int
    high: int


def day_range_parse(text: str) -> DayRange | None:
    """ "7" or "3-7" (days from today, at most DAYS_MAX); None for anything else."""
    found = _DAY_RANGE.fullmatch(text or "")
    if found is None:
        return None
    low = int(found[1])
    high = int(found[2]) if found[2] is not None else low
    if low > high or high > DAYS_MAX:
        return None
    return DayRange(low, high)


def _plural(count: int, word: str = "card") -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@transaction.atomic
def cards_act(
    *,
    user,
    action: str,
    prompt_ids: list[int],
    now: dt.datetime,
    time_zone: str = "UTC",
    days: DayRange | None = None,
    rng: random.Random | None = None,
) -> str:
    """Apply `action` to the learner's prompts among `prompt_ids` that can be studied (ids of
    other prompts are ignored); returns what was done, for the learner."""
    prompt_ids = list(
        Prompt.objects.studyable(user).filter(pk__in=prompt_ids).values_list("pk", flat=True)
    )
    if action in (SUSPEND, UNSUSPEND):
        marks_change(user=user, prompt_ids=prompt_ids, suspended=action == SUSPEND)
        return f"{_plural(len(prompt_ids))} {action}ed."
    if action == FORGET:
        count = cards_forget(user=user, prompt_ids=prompt_ids, now=now)
        left = len(prompt_ids) - count
        return f"{_plural(count)} made new again." + (
            f" {_plural(left)} already new." if left else ""
        )
    if action == RESCHEDULE and days is not None:
        count = cards_reschedule(
            user=user, prompt_ids=prompt_ids, days=days, now=now, time_zone=time_zone, rng=rng
        )
        left = len(prompt_ids) - count
        return f"{_plural(count)} rescheduled." + (
            f" {_plural(left, 'new card')} left as new: a new card has no due date until you "
            "first study it."
            if left
            else ""
        )
    raise ValueError(f"not an action: {action}")


@transaction.atomic
def cards_forget(*, user, prompt_ids: list[int], now: dt.datetime) -> int:
    """Make the learner's studied prompts among `prompt_ids` new again; returns how many.

    Their reviews stay in the log (statistics and personal FSRS still read them); the state
    goes, so the next grade starts the prompt afresh, as Anki's "Forget" does. As when an undo
    makes a prompt new again, `NewAgain` keeps its version going: a grade token shown before
    the forget is spent.
    """
    states = list(
        PromptState.objects.select_for_update()
        .filter(user=user, prompt_id__in=prompt_ids)
        .values_list("pk", "prompt_id", "version")
    )
    if not states:
        return 0
    NewAgain.objects.bulk_create(
        [
            NewAgain(user=user, prompt_id=prompt_id, version=version + 1)
            for _, prompt_id, version in states
        ],
        update_conflicts=True,
        unique_fields=["user", "prompt"],
        update_fields=["version"],
    )
    ManualChange.objects.bulk_create(
        ManualChange(user=user, prompt_id=prompt_id, kind=ManualChange.Kind.FORGET, at=now)
        for _, prompt_id, _ in states
    )
    PromptState.objects.filter(pk__in=[pk for pk, _, _ in states]).delete()
    return len(states)


@transaction.atomic
def cards_reschedule(
    *,
    user,
    prompt_ids: list[int],
    days: DayRange,
    now: dt.datetime,
    time_zone: str = "UTC",
    rng: random.Random | None = None,
) -> int:
    """Make the learner's studied prompts among `prompt_ids` due at the start of a day `days`
    from today (each its own day picked at random within a range, so a batch does not come
    back all at once, as in Anki); returns how many. New prompts are left alone: they have no
    schedule until first studied.

    Only the due date changes (FSRS's memory is what the reviews made it). The version does
    not: a card on screen in another tab may still be graded, and that grade, coming after
    the reschedule, sets the due date again, as a rebuild would replay it.
    """
    rng = rng or random.Random()
    today = local_date(now, time_zone)
    states = list(
        PromptState.objects.select_for_update()
        .filter(user=user, prompt_id__in=prompt_ids)
        .only("pk", "prompt_id", "due")
    )
    for state in states:
        state.due = midnight(today + dt.timedelta(days=rng.randint(days.low, days.high)), time_zone)
    PromptState.objects.bulk_update(states, ["due"])
    ManualChange.objects.bulk_create(
        ManualChange(
            user=user,
            prompt_id=state.prompt_id,
            kind=ManualChange.Kind.RESCHEDULE,
            at=now,
            due=state.due,
        )
        for state in states
    )
    return len(states)
