"""Signed tokens that carry a grade and an undo from the page that showed a card to the POST.

A grade token names who may grade, which prompt, the version of their state it was shown at,
and when; an undo token names who may undo which review, or which card action of their session
(flashcards/undo.py). Both are signed, so a learner can grade only what the study page showed
them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing

TOKEN_SALT = "flashcards.grade"
UNDO_SALT = "flashcards.undo"
TOKEN_MAX_AGE = 24 * 3600  # a card left on screen for a day is shown afresh


class GradeRefused(Exception):
    """The grade cannot be applied; `status` is the HTTP status to answer with.

    Lives here rather than in `grading` because reading a token is the first refusal.
    """

    def __init__(self, message: str, status: int = 400) -> None:
        self.message = message
        self.status = status
        super().__init__(message)


def grade_token(*, user_id: int, prompt_id: int, version: int, shown_at: dt.datetime) -> str:
    """Signed: who may grade, which prompt, which state of it, and when it was shown."""
    # Rounded, not cut: a time read back from a token (study_questions.ticket_of) signs the same.
    payload = {"u": user_id, "p": prompt_id, "v": version, "t": round(shown_at.timestamp() * 1000)}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


@dataclass(frozen=True)
class GradeTicket:
    prompt_id: int
    version: int
    shown_at: dt.datetime


def read_grade_token(token: str, *, user_id: int) -> GradeTicket:
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise GradeRefused("This card was shown too long ago; here it is again.") from None
    except signing.BadSignature:
        raise GradeRefused("That grade did not come from a card shown to you.") from None
    if payload.get("u") != user_id:
        raise GradeRefused("That card is not in your study session.", status=404)
    return GradeTicket(
        prompt_id=int(payload["p"]),
        version=int(payload["v"]),
        shown_at=dt.datetime.fromtimestamp(payload["t"] / 1000, tz=dt.UTC),
    )


def undo_token(*, user_id: int, review_id: int | None = None, action_id: int | None = None) -> str:
    """Signed: who may undo, and what: a grade (its review) or a card action (its number in the
    session's undo stack)."""
    if (review_id is None) == (action_id is None):
        raise TypeError("an undo token names a review or an action")
    payload = (
        {"u": user_id, "r": review_id} if review_id is not None else {"u": user_id, "a": action_id}
    )
    return signing.dumps(payload, salt=UNDO_SALT)


@dataclass(frozen=True)
class UndoTicket:
    review_id: int | None = None  # a grade to take back
    action_id: int | None = None  # or a card action of the session


def read_undo_token(token: str, *, user_id: int) -> UndoTicket:
    """What the token offers to undo, if it was offered to this learner."""
    try:
        payload = signing.loads(token, salt=UNDO_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise GradeRefused("There is nothing to undo.") from None
    if payload.get("u") != user_id:
        raise GradeRefused("There is nothing of yours to undo.", status=404)
    if payload.get("r") is not None:
        return UndoTicket(review_id=int(payload["r"]))
    return UndoTicket(action_id=int(payload["a"]))
