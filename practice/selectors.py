"""Reading practice tests: what a scope's questions are, how the learner last answered them,
their tests, and a test's questions and result."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Min, Q, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from flashcards.models import Card, Prompt
from lessons.models import Lesson, Topic, readable_topics
from practice.answers import answer_check
from practice.models import Answer, Attempt, AttemptQuestion

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")


@dataclass(frozen=True)
class PracticeScope:
    """What a test's questions are drawn from, written as Attempt.scope is: "all",
    "lesson:<slug>" or "topic:<slug>", with the title it had."""

    kind: str  # "all", "lesson" or "topic"
    slug: str = ""
    title: str = "All lessons"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.slug}" if self.slug else self.kind


def scope_resolve(raw: str | None, user=None) -> PracticeScope | None:
    """The scope `raw` names, with its title; None when it names no lesson or topic `user`
    may read (a learner's private topic is its owner's alone; one query, none for "all")."""
    kind, _, slug = (raw or "all").partition(":")
    if kind == "all" and not slug:
        return PracticeScope("all")
    if not _SLUG.fullmatch(slug):
        return None
    if kind == "lesson":
        title = Lesson.objects.studyable_by(user).filter(slug=slug).values_list("title", flat=True)
    elif kind == "topic":
        topics = Topic.objects.filter(readable_topics(user), slug=slug)
        title = topics.values_list("title", flat=True)
    else:
        return None
    found = title.first()
    return PracticeScope(kind, slug, found) if found is not None else None


def scope_question_ids(scope: PracticeScope, user=None) -> list[int]:
    """The question prompts a test in `scope` may ask: live prompts of question cards in
    published lessons (the prompts `user` can study, their private lessons' among them)."""
    where = Q(card__kind=Card.Kind.QUESTION)
    if scope.kind == "lesson":
        where &= Q(card__lesson__slug=scope.slug)
    elif scope.kind == "topic":
        where &= Q(card__lesson__topic__slug=scope.slug)
    return list(Prompt.objects.studyable(user).filter(where).values_list("pk", flat=True))


def latest_right_by_prompt(user, prompt_ids: list[int]) -> dict[int, bool]:
    """Whether the learner's latest answer to each of `prompt_ids` was right (in a study
    session or a test); prompts never answered are left out."""
    latest: dict[int, bool] = {}
    rows = (
        Answer.objects.filter(user=user, prompt_id__in=prompt_ids)
        .order_by("prompt_id", "-answered_at", "-id")
        .values_list("prompt_id", "is_right")
    )
    for prompt_id, right in rows:
        latest.setdefault(prompt_id, right)
    return latest


# Where an open test resumes: its first unanswered question, else its first (1 for a test
# whose questions were all removed). One expression for the list of tests and a single test.
_RESUME_AT = Coalesce(
    Min("questions__position", filter=Q(questions__chosen="")),
    Min("questions__position"),
    Value(1),
)


def attempts_of(user) -> list[Attempt]:
    """The learner's tests, the latest first, each with `resume_at` (_RESUME_AT)."""
    return list(Attempt.objects.filter(user=user).annotate(resume_at=_RESUME_AT))


def attempt_of(user, pk: int) -> Attempt:
    """One of the learner's own tests: another learner's is a 404, as if it did not exist."""
    return get_object_or_404(Attempt, pk=pk, user=user)


def attempt_questions(attempt: Attempt) -> list[AttemptQuestion]:
    """The test's questions in order, each with its prompt and the prompt's card and lesson
    (one query)."""
    return list(attempt.questions.select_related("prompt__card__lesson").order_by("position"))


def resume_position(attempt: Attempt) -> int:
    """Where an open test resumes (_RESUME_AT)."""
    resume = Attempt.objects.filter(pk=attempt.pk).annotate(resume_at=_RESUME_AT)
    return resume.values_list("resume_at", flat=True).get()


def question_at(questions: list[AttemptQuestion], position: int) -> AttemptQuestion | None:
    """The test's question at `position`, by its position (not its place in the list: a
    question whose card was deleted leaves a gap); None when there is none."""
    return next((question for question in questions if question.position == position), None)


def neighbours(positions: list[int], position: int) -> tuple[int | None, int | None]:
    """The positions before and after `position` among the test's (a deleted card's
    question leaves a gap, which Previous and Next step over); None at either end."""
    before = [p for p in positions if p < position]
    after = [p for p in positions if p > position]
    return (max(before) if before else None, min(after) if after else None)


def seconds_left(attempt: Attempt, now: dt.datetime) -> int | None:
    """A timed test's whole seconds to its deadline (0 once past); None when untimed."""
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


@dataclass(frozen=True)
class ReviewLists:
    unanswered: list[AttemptQuestion]
    flagged: list[AttemptQuestion]


def review_lists(questions: list[AttemptQuestion]) -> ReviewLists:
    """The review page's lists: the questions not answered and those flagged."""
    return ReviewLists(
        unanswered=[question for question in questions if not question.chosen],
        flagged=[question for question in questions if question.flagged],
    )


def verdicts_of(question: AttemptQuestion) -> list[dict]:
    """Each option of a submitted test's question, as the test asked it (its snapshot), with
    whether it is right and whether the learner picked it."""
    return answer_check(question, question.chosen).verdicts(question.options)


def _percent(right: int, total: int) -> int:
    return round(100 * right / total) if total else 0


@dataclass
class LessonScore:
    title: str
    right: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return _percent(self.right, self.total)


@dataclass
class AttemptResult:
    attempt: Attempt
    questions: list[AttemptQuestion]
    by_lesson: list[LessonScore] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return _percent(self.attempt.right_count, self.attempt.question_count)

    @property
    def missed(self) -> int:
        return sum(1 for question in self.questions if not question.is_right)

    @property
    def rows(self) -> list[dict]:
        """Each question with its options' verdicts, as the result page lists them."""
        return [
            {"question": question, "verdicts": verdicts_of(question)} for question in self.questions
        ]


def attempt_result(attempt: Attempt) -> AttemptResult:
    """A submitted test's score, overall and per lesson, and its questions."""
    questions = attempt_questions(attempt)
    lessons: dict[int, LessonScore] = {}
    for question in questions:
        lesson = question.prompt.card.lesson
        score = lessons.setdefault(lesson.pk, LessonScore(lesson.title))
        score.total += 1
        score.right += bool(question.is_right)
    return AttemptResult(attempt, questions, list(lessons.values()))
