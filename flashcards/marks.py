"""Writes to a learner's marks on prompts: suspend, unsuspend, bury until tomorrow, flag.

Each change returns what the marks were before it (`MarkSnapshot`s), so that an undo puts
them back exactly (`marks_restore`). One read and one upsert whatever the number of prompts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from flashcards.models import PromptMark

_FIELDS = ("flag", "suspended", "buried_until")


@dataclass(frozen=True)
class MarkSnapshot:
    """One prompt's marks at a moment; all defaults: the prompt had no marks."""

    prompt_id: int
    flag: int = PromptMark.Flag.NONE
    suspended: bool = False
    buried_until: dt.datetime | None = None

    def to_json(self) -> dict:
        data = {"prompt_id": self.prompt_id, "flag": self.flag, "suspended": self.suspended}
        data["buried_until"] = self.buried_until.isoformat() if self.buried_until else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> MarkSnapshot:
        until = data.get("buried_until")
        return cls(
            prompt_id=int(data["prompt_id"]),
            flag=int(data.get("flag", 0)),
            suspended=bool(data.get("suspended", False)),
            buried_until=dt.datetime.fromisoformat(until) if until else None,
        )


@transaction.atomic
def marks_change(*, user, prompt_ids, **changes) -> list[MarkSnapshot]:
    """Set `changes` (any of flag, suspended, buried_until) on the learner's marks of each
    prompt, leaving their other marks as they are; returns the marks before the change."""
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        raise TypeError(f"not a mark: {', '.join(sorted(unknown))}")
    prompt_ids = sorted(set(prompt_ids))
    before = _snapshots(user, prompt_ids)
    _write(user, [MarkSnapshot(**{**before_one.__dict__, **changes}) for before_one in before])
    return before


@transaction.atomic
def marks_restore(*, user, snapshots: list[MarkSnapshot]) -> None:
    """Put the learner's marks back as `snapshots` recorded them (an undo)."""
    _write(user, snapshots)


def _snapshots(user, prompt_ids: list[int]) -> list[MarkSnapshot]:
    found = {
        row["prompt_id"]: row
        for row in PromptMark.objects.select_for_update()
        .filter(user=user, prompt_id__in=prompt_ids)
        .values("prompt_id", *_FIELDS)
    }
    return [MarkSnapshot(**found.get(pk, {"prompt_id": pk})) for pk in prompt_ids]


def _write(user, snapshots: list[MarkSnapshot]) -> None:
    plain = [s for s in snapshots if s == MarkSnapshot(prompt_id=s.prompt_id)]
    marked = [s for s in snapshots if s not in plain]
    # A prompt back to no marks at all has no row: the table holds only what learners marked.
    if plain:
        PromptMark.objects.filter(user=user, prompt_id__in=[s.prompt_id for s in plain]).delete()
    if marked:
        PromptMark.objects.bulk_create(
            [PromptMark(user=user, **s.__dict__) for s in marked],
            update_conflicts=True,
            unique_fields=["user", "prompt"],
            update_fields=list(_FIELDS),
        )
