"""Helpers for the flashcards tests: a signed grade token for a prompt, a learner's state."""

from __future__ import annotations

import datetime as dt

from flashcards.models import PromptState
from flashcards.tokens import grade_token

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def token_for(user, prompt, version=0, shown_at=NOW):
    return grade_token(user_id=user.pk, prompt_id=prompt.pk, version=version, shown_at=shown_at)


def state_of(user, prompt) -> PromptState | None:
    return PromptState.objects.filter(user=user, prompt=prompt).first()
