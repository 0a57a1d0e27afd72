"""Actions on the card being studied, as in Anki: bury the card until tomorrow, suspend it, flag it.

Each is a change of the learner's marks (`marks.marks_change`), which returns the marks before
it, so the session's undo stack (flashcards/undo.py) can put them back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flashcards.days import next_midnight
from flashcards.marks import MarkSnapshot, marks_change
from flashcards.models import Prompt, PromptMark, StudySettings
from flashcards.tokens import GradeRefused, read_grade_token

BURY = "bury"
SUSPEND = "suspend"
FLAG = "flag"
ACTION_REFUSED = "A card action is bury, suspend or a flag (0 to 4)."


@dataclass(frozen=True)
class CardActionResult:
    kind: str  # BURY, SUSPEND or FLAG
    prompt_id: int
    before: list[MarkSnapshot]
    notice: str


def card_action(
    *,
    user,
    token: str,
    action: str,
    flag: int | None,
    study_settings: StudySettings,
    now: dt.datetime,
) -> CardActionResult:
    """Apply one action to the card the study page showed (the grade token names it).

    `action` is BURY or SUSPEND; or FLAG with `flag` 0 (no flag) to 4. The page's flag buttons
    carry the colour to set, or 0 on the colour already set: pressing it again clears it, as
    Ctrl+1..4 toggle in Anki.
    """
    if action == FLAG and flag not in PromptMark.Flag.values:
        raise GradeRefused(ACTION_REFUSED)
    if action not in (BURY, SUSPEND, FLAG):
        raise GradeRefused(ACTION_REFUSED)
    ticket = read_grade_token(token, user_id=user.pk)
    if not Prompt.objects.live().filter(pk=ticket.prompt_id).exists():
        raise GradeRefused("That card is no longer studied.", status=404)
    prompt_ids = [ticket.prompt_id]
    if action == BURY:
        until = next_midnight(now, study_settings.time_zone)  # buried until tomorrow
        before = marks_change(user=user, prompt_ids=prompt_ids, buried_until=until)
        notice = "Card buried until tomorrow."
    elif action == SUSPEND:
        before = marks_change(user=user, prompt_ids=prompt_ids, suspended=True)
        notice = "Card suspended: it stays out of your sessions until you unsuspend it."
    else:
        before = marks_change(user=user, prompt_ids=prompt_ids, flag=flag)
        label = PromptMark.Flag(flag).label.lower()
        notice = f"Card flagged {label}." if flag else "Flag removed."
    return CardActionResult(
        kind=action, prompt_id=ticket.prompt_id, before=before, notice=f"{notice} Undo (U)"
    )
