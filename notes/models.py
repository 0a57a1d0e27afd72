"""Cards a note's emphasis suggests, kept until an instructor (or a learner studying alone)
decides on each: accepted, a suggestion becomes an ordinary card; rejected, it is not proposed
again while its sentence stays as it is."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from flashcards.cards import EXAM_MAX, CardSpec
from flashcards.models import Card
from notes.suggest import RULE_NAMES


class SuggestionQuerySet(models.QuerySet):
    def pending(self) -> SuggestionQuerySet:
        return self.filter(status=Suggestion.Status.PENDING)


class Suggestion(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    lesson = models.ForeignKey(
        "lessons.Lesson", on_delete=models.CASCADE, related_name="suggestions"
    )
    # Names the sentence (with its heading and labels) and the rule, not the card's wording
    # (notes/suggest.py): a decision holds while the sentence stays; a changed one is new.
    key = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rule = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, choices=Card.Kind.choices)
    front = models.TextField()
    back = models.TextField(blank=True)
    section = models.CharField(max_length=200, blank=True)
    exam = models.CharField(max_length=EXAM_MAX, blank=True)
    source = models.TextField(help_text="The sentence or bullet it was suggested from.")
    line = models.PositiveIntegerField(default=0, help_text="Its line in the note.")
    position = models.PositiveIntegerField(default=0)
    card = models.ForeignKey(
        Card, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["lesson", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "key"], name="suggestion_unique_key")
        ]
        indexes = [models.Index(fields=["lesson", "status", "position"])]

    def __str__(self) -> str:
        return self.front[:80]

    def card_spec(self) -> CardSpec:
        """The card it proposes, as the card checks and the card sync read one."""
        return CardSpec(
            kind=self.kind,
            front=self.front,
            back=self.back,
            section=self.section,
            exam=self.exam,
            line=self.line,
        )

    @property
    def rule_name(self) -> str:
        """The rule that made it, as an instructor reads it ("bold phrase")."""
        return RULE_NAMES.get(self.rule, self.rule)
