"""How many new cards a learner may still start today in a scope: the one rule, pure.

A learner has an overall limit (`StudySettings.new_per_day`) and may give a lesson, a tag or
the exam cards a limit of their own; custom study can raise today's allowance in a scope by
+N ("more new cards today"). `StudySettings.scope_new_cards` stores both, per scope
(`ScopeNewCards`); `new_cards_left` is the rule every page and the grade's locked re-check use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# "+N" at most this many at a time; the overall limit's own maximum bounds a scope's limit.
EXTRA_MAX = 999


@dataclass(frozen=True)
class ScopeNewCards:
    """A learner's new-card settings for one scope: its own daily limit (None: only the
    overall one) and today's extra cards (`extra` counts only on `extra_day`)."""

    limit: int | None = None
    extra: int = 0
    extra_day: dt.date | None = None

    @classmethod
    def from_json(cls, raw: dict | None) -> ScopeNewCards:
        raw = raw or {}
        day = raw.get("extra_day")
        return cls(
            limit=raw.get("limit"),
            extra=raw.get("extra", 0),
            extra_day=dt.date.fromisoformat(day) if day else None,
        )

    def to_json(self) -> dict:
        stored = {}
        if self.limit is not None:
            stored["limit"] = self.limit
        if self.extra and self.extra_day:
            stored.update(extra=self.extra, extra_day=self.extra_day.isoformat())
        return stored

    def extra_on(self, day: dt.date) -> int:
        """Extra new cards for `day`: yesterday's +N does not carry over."""
        return self.extra if self.extra_day == day else 0


def new_cards_left(
    *,
    overall_limit: int,
    started_today: int,
    scope_limit: int | None = None,
    started_in_scope: int = 0,
    extra: int = 0,
) -> int:
    """New cards the learner may still start today while studying this scope.

    - New cards started today anywhere count against the overall limit.
    - A scope with its own limit: those started today in it count against that limit too, and
      the smaller of the two allowances holds.
    - Today's extra cards for this scope (+N) raise both allowances, only while studying it.
    """
    left = overall_limit + extra - started_today
    if scope_limit is not None:
        left = min(left, scope_limit + extra - started_in_scope)
    return max(0, left)
