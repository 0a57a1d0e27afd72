"""
Exam-style practice: the tests a learner takes and every answer given to a question.

A question is a card of kind "question" (flashcards/questions.py), studied through its one
prompt. An Attempt is one practice test: its questions are fixed when it starts
(AttemptQuestion rows, in order), each holds the learner's picks until the test is submitted,
and then nothing of it changes. Every answer checked, in a test or in a study session, is
appended to the Answer log, which the learner's readiness and the instructors' question
analytics read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from flashcards.models import Prompt

# A test's size and time, as a learner may choose them.
QUESTIONS_RANGE = (1, 65)
DEFAULT_QUESTIONS = 10
DEFAULT_SECONDS_PER_QUESTION = 120


class Attempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_attempts"
    )
    # What the questions were drawn from, as study scopes are written: "lesson:<slug>",
    # "topic:<slug>" or "all"; `title` is how it read then ("Restore paths").
    scope = models.CharField(max_length=220)
    title = models.CharField(max_length=200)
    # Timed tests end at the deadline: answers after it are not taken, and the test is
    # submitted as it stands when next opened.
    seconds_per_question = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    question_count = models.PositiveSmallIntegerField()
    right_count = models.PositiveSmallIntegerField(default=0)
    # When "Add the N I missed to my study queue now" was pressed: once only, so a second
    # press (or a replayed POST) logs no second Again grade and no second reschedule.
    missed_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "-started_at"], name="attempt_user_started")]

    def __str__(self) -> str:
        return f"{self.title} ({self.user}, {self.started_at:%Y-%m-%d %H:%M})"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class AttemptQuestion(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="questions")
    # CASCADE, as Review.prompt (the review log) is: a card deleted in the admin is gone
    # with its history, while a card dropped from its note is kept as a retired prompt
    # (is_active False) and so keeps its tests. A test whose question was deleted keeps its
    # other questions at their positions; the gap is a "removed" page (practice/views.py).
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()  # 1, 2, ... as the test shows them
    # The question as it was when the test started: the test asks, grades and shows its
    # result from these, so an edit or re-import of the card during the test (or after it)
    # changes nothing of it. `options` as Prompt.options ([{"html", "why_html", "right"}]).
    content_hash = models.CharField(max_length=32, blank=True, default="")
    stem_html = models.TextField(blank=True, default="")
    options = models.JSONField(default=list, blank=True)
    # The learner's picks, letters in order ("AC"); empty while unanswered.
    chosen = models.CharField(max_length=6, blank=True)
    flagged = models.BooleanField(default=False)
    # Set when the test is submitted: the picks were all the right options and no other.
    is_right = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="unique_position_per_attempt"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt} #{self.position}"


class Answer(models.Model):
    class Source(models.TextChoices):
        STUDY = "study", "Study session"
        TEST = "test", "Practice test"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_answers"
    )
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="answers")
    # Which wording was answered: pick rates are per version of the options (an edited
    # question's old picks say nothing of its new options).
    content_hash = models.CharField(max_length=32)
    chosen = models.CharField(max_length=6)
    is_right = models.BooleanField()
    source = models.CharField(max_length=10, choices=Source.choices)
    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, null=True, blank=True, related_name="answers"
    )
    answered_at = models.DateTimeField()
    # A study session's answer names the showing of the question it answered (its grade
    # token's prompt, version and time shown, flashcards/study_questions.py): one answer per
    # showing, whatever a replayed POST or the back button sends again. Empty in a test.
    showing = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "showing"],
                condition=~models.Q(showing=""),
                name="one_answer_per_showing",
            )
        ]
        indexes = [
            models.Index(fields=["prompt", "content_hash"], name="answer_prompt_version"),
            models.Index(fields=["user", "answered_at"], name="answer_user_time"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.chosen} on {self.prompt_id}"
