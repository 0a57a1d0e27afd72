"""Questions, practice tests and answers made directly as rows, for the pages that read them
(the dashboard's practice panel, the instructors' question analytics)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from flashcards.models import Prompt
from lessons.models import Lesson
from practice.answers import answer_check, answer_log
from practice.models import Answer, Attempt, AttemptQuestion
from tests.conftest import make_lesson, sync_questions


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


def four_option_questions(count: int = 1, lesson=None, stems: tuple[str, ...] = ()) -> list[Prompt]:
    """`count` question cards in `lesson` (a new one unless given), as a note's questions
    block writes them, and their prompts in order. A lesson's questions are made in one call:
    a note's block is synced whole."""
    lesson = lesson or make_lesson()
    text = "\n".join(
        question_text(number, stems[number] if number < len(stems) else "")
        for number in range(count)
    )
    return sync_questions(text, lesson)


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
            content_hash=prompt.content_hash,
            stem_html=prompt.front_html,
            options=prompt.options,
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


def short_question_text(number: int, *, right: str = "B", section: str = "") -> str:
    """A one-right-answer question whose right option is `right` (of A to C)."""
    options = "\n".join(
        f"- [{'x' if letter == right else ' '}] Option {letter} of question {number}.\n"
        f"  why: Why {letter} is {'right' if letter == right else 'wrong'}."
        for letter in "ABC"
    )
    tail = f"\nsection: {section}" if section else ""
    return f"Q: Question {number}: which one?\n{options}\nid: q{number}{tail}\n"


def three_option_questions(
    count: int, lesson: Lesson | None = None, **lesson_fields
) -> list[Prompt]:
    """`count` three-option questions (B right, each linked to the lesson's "Second part") in
    `lesson` (a new published lesson made with `lesson_fields` unless given), as the practice
    test's tests use them; their prompts by id."""
    lesson = lesson or make_lesson(**lesson_fields)
    text = "\n".join(short_question_text(number, section="second-part") for number in range(count))
    return sync_questions(text, lesson)
