"""A question card in a study session: its front asks (stem and options, nothing that says
which are right), a check POST logs the learner's answer once per showing, and its back shows
each option's verdict with a proposed grade, which the learner confirms or changes through the
ordinary grade POST (flashcards/grading.py).

Checking and logging are practice/answers.py's; this module ties them to the grade token the
front was shown with, so that one showing gets one answer however often its form is posted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Value
from django.utils import timezone

from flashcards.cards import QUESTION
from flashcards.models import Prompt, PromptState, Review
from flashcards.selectors import version_of
from flashcards.tokens import GradeRefused, GradeTicket, read_grade_token
from portal.rows import ID_PLACEHOLDER, CompiledQuery
from practice.answers import answer_check, answer_log
from practice.models import Answer

NOT_A_QUESTION = "That card is not a question, or is no longer studied."
UNANSWERED = "Check an answer to this question before grading it."
NO_PICK = "Pick an answer before checking."
MOVED_ON = (
    "This card was already graded in another tab: that answer was not counted. "
    "Here is your current card."
)


def showing_of(ticket: GradeTicket) -> str:
    """One showing of a card: which prompt, at which version of the learner's state, when (in
    milliseconds, as the grade token carries it: rounded, so that ticket_of gives it back)."""
    return f"{ticket.prompt_id}:{ticket.version}:{round(ticket.shown_at.timestamp() * 1000)}"


def ticket_of(answer: Answer) -> GradeTicket:
    """The showing an answer was checked on, as the grade token that showed it names it."""
    prompt_id, version, shown_ms = (int(part) for part in answer.showing.split(":"))
    shown_at = dt.datetime.fromtimestamp(shown_ms / 1000, tz=dt.UTC)
    return GradeTicket(prompt_id=prompt_id, version=version, shown_at=shown_at)


def answered_at_version(user, prompt_id: int, version: int) -> Answer | None:
    """The answer checked on a showing of this prompt at this version of the learner's state.
    A grade moves the version on, so this is an answer whose grade is still to be given: a
    reload, another tab or the back button shows its back rather than asking again."""
    found = _ANSWERED.objects(
        user_id=user.pk, prompt_id=prompt_id, prefix=f"{prompt_id}:{version}:", limit=1
    )
    return found[0] if found else None


def _answers_showing(user_id: int, prompt_id: int, prefix: str):
    # The prefix as an expression, so that the pattern is made in SQL (its wildcards escaped
    # there) and the prefix itself is the query's parameter, as a compiled query needs.
    return Answer.objects.filter(
        user_id=user_id, prompt_id=prompt_id, showing__startswith=Value(prefix)
    ).order_by("pk")


# Read on every showing of a question and every grade of one: its SQL compiled once
# (portal.rows; bench/history.md, issue 20).
_ANSWERED = CompiledQuery(
    _answers_showing,
    user_id=ID_PLACEHOLDER,
    prompt_id=ID_PLACEHOLDER + 1,
    prefix="compiled-showing-prefix:",
)


@dataclass(frozen=True)
class CheckResult:
    prompt_id: int
    answer: Answer | None  # None: nothing was logged (no pick, or the card had moved on)
    notice: str = ""


@transaction.atomic
def study_check(*, user, token: str, picks, now: dt.datetime | None = None) -> CheckResult:
    """Check the learner's picks on the question the token showed, and log the answer once.

    A second check at the same version of the learner's state (a replayed POST, the back
    button, a front left open in another tab) logs nothing and returns the first answer,
    whatever it picks: the back then shows what was answered first.
    Raises GradeRefused for a token that is not this learner's, or not a studyable question's
    (a retired one, or one whose lesson was unpublished)."""
    ticket = read_grade_token(token, user_id=user.pk)
    prompt = Prompt.objects.studyable(user).filter(pk=ticket.prompt_id, card__kind=QUESTION).first()
    if prompt is None:
        raise GradeRefused(NOT_A_QUESTION, status=404)
    state = PromptState.objects.filter(user=user, prompt=prompt).first()
    if version_of(user, prompt.pk, state) != ticket.version:
        return CheckResult(prompt.pk, None, MOVED_ON)
    answered = answered_at_version(user, prompt.pk, ticket.version)
    if answered is not None:
        return CheckResult(prompt.pk, answered)
    showing = showing_of(ticket)
    checked = answer_check(prompt, picks)
    if not checked.chosen:
        return CheckResult(prompt.pk, None, NO_PICK)
    try:
        with transaction.atomic():
            answer = answer_log(
                user=user,
                prompt=prompt,
                checked=checked,
                source=Answer.Source.STUDY,
                now=now or timezone.now(),
                showing=showing,
            )
    except IntegrityError:
        # This showing was checked already (a replayed POST, the back button, or a
        # concurrent check): its first answer stands, and is shown.
        answer = Answer.objects.get(user=user, showing=showing)
    return CheckResult(prompt.pk, answer)


@dataclass(frozen=True)
class QuestionBack:
    """What the answer side of a checked question shows."""

    verdicts: list[dict]
    is_right: bool
    chosen: str
    right: str
    proposed: int  # the grade proposed: Good when right, Again when not
    reason: str  # "you missed B", shown after "Proposed: Again — "

    @property
    def right_text(self) -> str:
        return _letters(self.right)

    @property
    def proposed_label(self) -> str:
        return Review.Rating(self.proposed).label


def answered_on(user, ticket: GradeTicket) -> Answer | None:
    """The answer the learner checked on this showing, if they have."""
    return Answer.objects.filter(user=user, showing=showing_of(ticket)).first()


def question_back(prompt: Prompt, answer: Answer) -> QuestionBack:
    checked = answer_check(prompt, answer.chosen)
    missed = "".join(letter for letter in checked.right if letter not in checked.chosen)
    wrong = "".join(letter for letter in checked.chosen if letter not in checked.right)
    reasons = []
    if missed:
        reasons.append(f"you missed {_letters(missed)}")
    if wrong:
        reasons.append(f"{_letters(wrong)} {'is' if len(wrong) == 1 else 'are'} wrong")
    return QuestionBack(
        verdicts=checked.verdicts(prompt.options),
        is_right=checked.is_right,
        chosen=checked.chosen,
        right=checked.right,
        proposed=Review.Rating.GOOD if checked.is_right else Review.Rating.AGAIN,
        reason="; ".join(reasons),
    )


def _letters(letters: str) -> str:
    """ "B", "B and D", "A, B and D"."""
    if len(letters) == 1:
        return letters
    return ", ".join(letters[:-1]) + f" and {letters[-1]}"
