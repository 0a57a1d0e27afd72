"""Questions, practice tests and answers made directly as rows, for the pages that read them
(the dashboard's practice panel, the instructors' question analytics)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from flashcards.card_sync import cards_sync_from_note
from flashcards.models import Prompt
from flashcards.questions import parse_questions
from practice.answers import answer_check, answer_log
from practice.models import Answer, Attempt, AttemptQuestion
from tests.conftest import make_lesson


def question_text(number: int, stem: str = "") -> str:
    """A four-option question, B the one right option."""
    stem = stem or f"Question {number}: which restore path keeps the rows?"
    return f"""Q: {stem}
- [ ] A manual snapshot over the instance {number}.
  why: A snapshot is restored to a new instance.
- [x] Point-in-time restore {number}.
  why: It restores to any second of the retention period.
- [ ] Backtrack on RDS {number}.
  why: Backtrack is for Aurora MySQL only.
- [ ] A read replica {number}.
  why: A replica copies the mistake too.
"""


def make_questions(count: int = 1, lesson=None, stems: tuple[str, ...] = ()) -> list[Prompt]:
    """`count` question cards in `lesson` (a new one unless given), as a note's questions
    block writes them, and their prompts in order. A lesson's questions are made in one call:
    a note's block is synced whole."""
    lesson = lesson or make_lesson()
    text = "\n".join(
        question_text(number, stems[number] if number < len(stems) else "")
        for number in range(count)
    )
    cards_sync_from_note(lesson=lesson, specs=parse_questions(text))
    return list(Prompt.objects.filter(card__lesson=lesson).order_by("card__position"))


def submitted_attempt(
    user, picks: list[tuple[Prompt, str]], *, submitted_at: dt.datetime | None = None, **kwargs
) -> Attempt:
    """A practice test submitted at `submitted_at` (now), its questions answered with the given
    letters ("" leaves one unanswered), each answer checked and logged as the test page does."""
    submitted_at = submitted_at or timezone.now()
    kwargs.setdefault("scope", "all")
    kwargs.setdefault("title", "Everything")
    attempt = Attempt.objects.create(
        user=user,
        started_at=submitted_at - dt.timedelta(minutes=20),
        submitted_at=submitted_at,
        question_count=len(picks),
        **kwargs,
    )
    right = 0
    for position, (prompt, letters) in enumerate(picks, start=1):
        checked = answer_check(prompt, letters)
        AttemptQuestion.objects.create(
            attempt=attempt,
            prompt=prompt,
            position=position,
            chosen=checked.chosen,
            is_right=checked.is_right,
        )
        right += checked.is_right
        if checked.chosen:
            answer_log(
                user=user,
                prompt=prompt,
                checked=checked,
                source=Answer.Source.TEST,
                attempt=attempt,
                now=submitted_at,
            )
    attempt.right_count = right
    attempt.save(update_fields=["right_count"])
    return attempt


def studied_answer(user, prompt: Prompt, letters: str, **kwargs) -> Answer:
    """An answer given in a study session."""
    return answer_log(
        user=user,
        prompt=prompt,
        checked=answer_check(prompt, letters),
        source=Answer.Source.STUDY,
        **kwargs,
    )
