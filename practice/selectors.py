"""Reading practice tests: what a scope's questions are, how the learner last answered them,
their tests, and a test's questions and result."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.shortcuts import get_object_or_404

from flashcards.models import Card, Prompt
from lessons.models import Lesson, Topic
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


def scope_resolve(raw: str | None) -> PracticeScope | None:
    """The scope `raw` names, with its title; None when it names no published lesson or
    topic (one query, none for "all")."""
    kind, _, slug = (raw or "all").partition(":")
    if kind == "all" and not slug:
        return PracticeScope("all")
    if not _SLUG.fullmatch(slug):
        return None
    if kind == "lesson":
        title = Lesson.objects.published().filter(slug=slug).values_list("title", flat=True)
    elif kind == "topic":
        title = Topic.objects.filter(slug=slug).values_list("title", flat=True)
    else:
        return None
    found = title.first()
    return PracticeScope(kind, slug, found) if found is not None else None


def scope_question_ids(scope: PracticeScope) -> list[int]:
    """The question prompts a test in `scope` may ask: live prompts of question cards in
    published lessons (the prompts a learner can study)."""
    where = Q(card__kind=Card.Kind.QUESTION)
    if scope.kind == "lesson":
        where &= Q(card__lesson__slug=scope.slug)
    elif scope.kind == "topic":
        where &= Q(card__lesson__topic__slug=scope.slug)
    return list(Prompt.objects.studyable().filter(where).values_list("pk", flat=True))


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


def attempts_of(user) -> list[Attempt]:
    """The learner's tests, the latest first."""
    return list(Attempt.objects.filter(user=user))


def attempt_of(user, pk: int) -> Attempt:
    """One of the learner's own tests: another learner's is a 404, as if it did not exist."""
    return get_object_or_404(Attempt, pk=pk, user=user)


def attempt_questions(attempt: Attempt) -> list[AttemptQuestion]:
    """The test's questions in order, each with its prompt and the prompt's card and lesson
    (one query)."""
    return list(attempt.questions.select_related("prompt__card__lesson").order_by("position"))


@dataclass
class LessonScore:
    title: str
    right: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.right / self.total) if self.total else 0


@dataclass
class AttemptResult:
    attempt: Attempt
    questions: list[AttemptQuestion]
    by_lesson: list[LessonScore] = field(default_factory=list)

    @property
    def percent(self) -> int:
        total = self.attempt.question_count
        return round(100 * self.attempt.right_count / total) if total else 0

    @property
    def missed(self) -> int:
        return sum(1 for question in self.questions if not question.is_right)


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
