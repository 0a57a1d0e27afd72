"""Checking an answer to a question and logging it: the one place both a study session and a
practice test do so (practice/models.py, Answer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.utils import timezone

from flashcards.models import Prompt
from flashcards.options import LETTERS, choose_phrase, is_right, normalize_choice
from practice.models import Answer, Attempt


class Asked(Protocol):
    """A question as asked: a Prompt, or a test's snapshot of one (AttemptQuestion), which
    keeps the options the learner saw when the test started."""

    options: list[dict]


@dataclass(frozen=True)
class Checked:
    """A learner's picks on a question, checked on the server."""

    chosen: str  # "AC"
    right: str  # the right options' letters
    is_right: bool

    def verdicts(self, options: list[dict]) -> list[dict]:
        """Each option as the answer shows it: its letter, text, why, whether it is right and
        whether the learner picked it."""
        return [
            {
                "letter": letter,
                "html": option["html"],
                "why_html": option["why_html"],
                "right": option["right"],
                "picked": letter in self.chosen,
            }
            for letter, option in zip(LETTERS, options, strict=False)
        ]


def right_of(prompt: Asked) -> str:
    return "".join(
        letter for letter, option in zip(LETTERS, prompt.options, strict=False) if option["right"]
    )


def ask_of(prompt: Asked) -> dict:
    """What a page may show of a question before it is answered: the options' letters and
    text, whether several are to be chosen, and nothing that says which are right."""
    right_count = len(right_of(prompt))
    return {
        "options": [
            {"letter": letter, "html": option["html"]}
            for letter, option in zip(LETTERS, prompt.options, strict=False)
        ],
        "multiple": right_count > 1,
        "choose": choose_phrase(right_count),
    }


def answer_check(prompt: Asked, picks: Iterable[str]) -> Checked:
    """The learner's picks (letters, as a form sends them; anything else dropped) checked
    against the question's right options."""
    chosen = normalize_choice(picks, len(prompt.options))
    right = right_of(prompt)
    return Checked(chosen=chosen, right=right, is_right=is_right(chosen, right))


def answer_log(
    *,
    user,
    prompt: Prompt,
    checked: Checked,
    source: str,
    attempt: Attempt | None = None,
    now: dt.datetime | None = None,
    showing: str = "",
    content_hash: str | None = None,
) -> Answer:
    """Append a checked answer to the log that readiness and question analytics read.
    `showing`: the study session's showing it answers (one answer each; see Answer).
    `content_hash`: the wording answered, when not the prompt's current one (a test's
    snapshot, taken when it started)."""
    return Answer.objects.create(
        user=user,
        prompt=prompt,
        content_hash=prompt.content_hash if content_hash is None else content_hash,
        chosen=checked.chosen,
        is_right=checked.is_right,
        source=source,
        attempt=attempt,
        answered_at=now or timezone.now(),
        showing=showing,
    )
