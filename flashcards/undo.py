"""The study session's undo stack: its grades and card actions, newest last.

Kept in the Django session beside the summary's figures, for the same scope: the Undo button
takes back the newest entry, then the one before, and so on. A grade is undone by
`grading.grade_undo` (only while it is the learner's most recent grade: nothing later of theirs
rests on it), a card action by putting back the marks it recorded (`marks.marks_restore`). A
refused undo says why and leaves the stack, so the entries before it can still be undone.

The stack holds the newest `MAX_ACTIONS` entries. The session row is read and written on every
study request, so its size is paid for on every grade; 200 covers a long day's session (the
default allowance is 20 new cards, and a few hundred reviews is a heavy day), at about 40 bytes
a grade and 150 a card action.
"""

from __future__ import annotations

from dataclasses import dataclass

from flashcards.grading import grade_undo
from flashcards.marks import MarkSnapshot, marks_restore
from flashcards.models import Review
from flashcards.selectors import Scope
from flashcards.tokens import GradeRefused, read_undo_token, undo_token

SESSION_KEY = "study_undo"
MAX_ACTIONS = 200

# What the Undo button says it takes back, by entry.
GRADE = "grade"
LABELS = {GRADE: "grade", "bury": "bury", "suspend": "suspend", "flag": "flag"}
UNDONE = {
    GRADE: "Grade undone: here is the card again.",
    "bury": "Bury undone: the card is back.",
    "suspend": "Suspend undone: the card is back.",
    "flag": "Flag change undone.",
}
ALREADY_UNDONE = "That was undone already (in another tab, perhaps)."
GRADED_SINCE = (
    "That grade could not be undone: you have graded since (on another device, perhaps), and only "
    "your most recent grade can be. It is off the undo list."
)


@dataclass(frozen=True)
class UndoOffer:
    token: str
    label: str  # "grade", "bury", ...


@dataclass(frozen=True)
class Undone:
    prompt_id: int | None  # the card to show again; None: nothing changed
    notice: str
    review: Review | None = None  # the grade taken back, if it was one


def _stack(session, scope: Scope) -> dict:
    stack = session.get(SESSION_KEY)
    if not stack or stack.get("scope") != str(scope):
        stack = {"scope": str(scope), "seq": 0, "actions": []}
    return stack


def _push(session, scope: Scope, entry: dict) -> None:
    stack = _stack(session, scope)
    stack["seq"] += 1
    stack["actions"] = [*stack["actions"], {"id": stack["seq"], **entry}][-MAX_ACTIONS:]
    session[SESSION_KEY] = stack


def push_grade(session, scope: Scope, review: Review) -> None:
    _push(session, scope, {"kind": GRADE, "review": review.pk, "prompt": review.prompt_id})


def push_marks(
    session, scope: Scope, *, kind: str, prompt_id: int, before: list[MarkSnapshot]
) -> None:
    """A card action: `before` are the marks it replaced, which an undo puts back."""
    _push(
        session,
        scope,
        {"kind": kind, "prompt": prompt_id, "before": [s.to_json() for s in before]},
    )


def actions(session, scope: Scope) -> list[dict]:
    """The stack's entries, oldest first (for tests and the page's offer)."""
    return list(_stack(session, scope)["actions"])


def offer(session, scope: Scope, user_id: int) -> UndoOffer | None:
    """What the Undo button takes back: the newest entry, or nothing."""
    entries = _stack(session, scope)["actions"]
    if not entries:
        return None
    top = entries[-1]
    if top["kind"] == GRADE:
        token = undo_token(user_id=user_id, review_id=top["review"])
    else:
        token = undo_token(user_id=user_id, action_id=top["id"])
    return UndoOffer(token=token, label=LABELS[top["kind"]])


def undo_last(*, user, session, scope: Scope, token: str) -> Undone:
    """Take back what `token` names, which the page offered as the newest entry.

    A token for a grade that is not the newest entry is still tried (`grade_undo` refuses any
    but the learner's most recent grade). Refusals raise `GradeRefused`, except when the newest
    entry itself cannot be undone any more (another device graded since, say): then it leaves
    the stack, and the notice says why, so the learner can go on undoing what came before.
    """
    ticket = read_undo_token(token, user_id=user.pk)
    stack = _stack(session, scope)
    entries = stack["actions"]
    top = entries[-1] if entries else None
    if ticket.action_id is not None:
        if top is None or top["id"] != ticket.action_id:
            raise GradeRefused(ALREADY_UNDONE)
        snapshots = [MarkSnapshot.from_json(data) for data in top["before"]]
        marks_restore(user=user, snapshots=snapshots)
        _drop(session, stack, top["id"])
        return Undone(prompt_id=top["prompt"], notice=UNDONE[top["kind"]])

    on_top = top is not None and top.get("review") == ticket.review_id
    try:
        review = grade_undo(user=user, review_id=ticket.review_id)
    except GradeRefused:
        if not on_top:
            raise
        _drop(session, stack, top["id"])
        return Undone(prompt_id=None, notice=GRADED_SINCE)
    entry = next((e for e in entries if e.get("review") == ticket.review_id), None)
    if entry is not None:
        _drop(session, stack, entry["id"])
    return Undone(prompt_id=review.prompt_id, notice=UNDONE[GRADE], review=review)


def _drop(session, stack: dict, entry_id: int) -> None:
    stack["actions"] = [e for e in stack["actions"] if e["id"] != entry_id]
    session[SESSION_KEY] = stack
