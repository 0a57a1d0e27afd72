from __future__ import annotations

from django.conf import settings
from django.db import models


class KnownSnapshot(models.Model):
    """A learner's "known" in one lesson as of `taken_at`: the sum of their recall over the
    lesson's live prompts (`flashcards.recall`), what the roster's Known sort reads.

    Computing "known" live means the learner's recall of every card state, which at 10,000
    learners is a million FSRS power laws per sort: seconds, not milliseconds. The roster
    sorts by this snapshot instead, says so with its time, and still shows live figures for
    the learners on the page. Taken whole by `analytics.services.known_snapshot_take`
    (`manage.py snapshot_known`, run hourly), never by a grade: grading stays as cheap as it is.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    lesson = models.ForeignKey("lessons.Lesson", on_delete=models.CASCADE, related_name="+")
    recalled = models.FloatField()  # the sum of recall, to divide by the lesson's prompt count
    taken_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="one_known_per_user_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.lesson_id}: {self.recalled:.2f} at {self.taken_at}"
