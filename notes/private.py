"""A learner's own notes: the list of their private lessons, and deleting one or all of them.

Importing is `notes.services.notes_import(owner=...)`; who may read a private lesson is
`lessons.models.readable_lessons`. Here: what "My notes" lists, and how a note goes away with
everything it brought (its cards' prompts, the learner's states and reviews of them, its
suggestions, its search rows).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from flashcards.models import Card
from lessons.models import Lesson, Topic


@dataclass(frozen=True)
class PrivateNote:
    """A row of "My notes"."""

    title: str
    slug: str
    topic: str
    imported_from: str
    updated_at: dt.datetime  # the last import that changed it
    cards: int  # active cards


def private_notes_of(owner) -> list[PrivateNote]:
    """The learner's private lessons with their active cards counted, topic by topic, newest
    import first within a topic: one query."""
    lessons = (
        Lesson.objects.filter(topic__owner=owner)
        .annotate(card_count=Count("cards", filter=Q(cards__is_active=True)))
        .order_by("topic__title", "topic_id", "-updated_at", "id")
        .values_list("title", "slug", "topic__title", "imported_from", "updated_at", "card_count")
    )
    return [PrivateNote(*row) for row in lessons]


def private_card_count(owner, slug: str) -> int | None:
    """How many active cards the learner's private lesson `slug` has; None if it is not one
    of theirs."""
    row = (
        Lesson.objects.filter(topic__owner=owner, slug=slug)
        .annotate(card_count=Count("cards", filter=Q(cards__is_active=True)))
        .values_list("card_count", flat=True)
        .first()
    )
    return row


@transaction.atomic
def private_lesson_delete(*, owner, slug: str) -> str:
    """Delete the learner's private lesson `slug` and all it brought; return its title.

    Cards are deleted first (a lesson PROTECTs its cards, so an instructor's lesson cannot lose
    its history by accident); deleting them cascades to their prompts and the learner's states,
    reviews, marks and answers. The lesson's own delete cascades to its suggestions, search
    rows and known-snapshots; a topic left empty goes too. Raises Lesson.DoesNotExist for a
    lesson that is not theirs (the view's 404), so nobody can delete another's note.
    """
    lesson = Lesson.objects.select_for_update().get(topic__owner=owner, slug=slug)
    _lessons_delete([lesson.pk])
    Topic.objects.filter(owner=owner, lessons__isnull=True).delete()
    return lesson.title


def private_notes_delete_all(*, owner) -> int:
    """Delete every private lesson and topic of the learner (their account is going);
    return how many lessons went. Runs inside the caller's transaction."""
    lesson_ids = list(Lesson.objects.filter(topic__owner=owner).values_list("pk", flat=True))
    _lessons_delete(lesson_ids)
    Topic.objects.filter(owner=owner).delete()
    return len(lesson_ids)


def _lessons_delete(lesson_ids: list[int]) -> None:
    Card.objects.filter(lesson_id__in=lesson_ids).delete()
    Lesson.objects.filter(pk__in=lesson_ids).delete()
