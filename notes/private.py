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
from practice.models import Attempt


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
    lessons = _private_notes(owner).order_by("topic__title", "topic_id", "-updated_at", "id")
    return [PrivateNote(*row) for row in lessons]


def private_note_of(owner, slug: str) -> PrivateNote | None:
    """The learner's private lesson `slug` as "My notes" lists it; None if it is not one of
    theirs (nothing of anyone else's is named by a slug)."""
    row = _private_notes(owner).filter(slug=slug).first()
    return None if row is None else PrivateNote(*row)


def _private_notes(owner):
    return (
        Lesson.objects.filter(topic__owner=owner)
        .annotate(card_count=Count("cards", filter=Q(cards__is_active=True)))
        .values_list("title", "slug", "topic__title", "imported_from", "updated_at", "card_count")
    )


@transaction.atomic
def private_lesson_delete(*, owner, slug: str) -> str:
    """Delete the learner's private lesson `slug` and all it brought; return its title.

    Cards are deleted first (a lesson PROTECTs its cards, so an instructor's lesson cannot lose
    its history by accident); deleting them cascades to their prompts and the learner's states,
    reviews, marks and answers. The lesson's own delete cascades to its suggestions, search
    rows and known-snapshots; a topic left empty goes too. Raises Lesson.DoesNotExist for a
    lesson that is not theirs (the view's 404), so nobody can delete another's note.
    """
    lesson = (
        Lesson.objects.select_for_update().only("pk", "title").get(topic__owner=owner, slug=slug)
    )
    _lessons_delete(owner, [lesson.pk])
    Topic.objects.filter(owner=owner, lessons__isnull=True).only("pk").delete()
    return lesson.title


def private_notes_delete_each(*, owner) -> int:
    """Delete the learner's private lessons one at a time, each in its own short transaction
    (`private_lesson_delete`); return how many went. An account's deletion calls this before
    its own transaction: 200 notes of up to 5,000 cards at once would hold the write lock for
    tens of seconds (docs/NOTES.md), one note for a moment."""
    slugs = list(Lesson.objects.filter(topic__owner=owner).values_list("slug", flat=True))
    deleted = 0
    for slug in slugs:
        try:
            private_lesson_delete(owner=owner, slug=slug)
        except Lesson.DoesNotExist:
            continue  # deleted meanwhile, from another tab
        deleted += 1
    return deleted


def private_notes_delete_all(*, owner) -> int:
    """Delete every private lesson and topic of the learner (their account is going);
    return how many lessons went. Runs inside the caller's transaction."""
    lesson_ids = list(Lesson.objects.filter(topic__owner=owner).values_list("pk", flat=True))
    _lessons_delete(owner, lesson_ids)
    Topic.objects.filter(owner=owner).only("pk").delete()
    return len(lesson_ids)


def _lessons_delete(owner, lesson_ids: list[int]) -> None:
    """Delete the lessons and all they brought, reading ids only.

    A lesson's body and HTML run to 1 MB each and a learner may have 200 lessons of up to
    5,000 cards: the Collector fetches whole rows of the querysets it is given, so each one
    is cut to its id (`only("pk")`), and the rows the deletes cascade to are fetched by id or
    deleted by `prompt_id IN (...)` without reading them. Held in the write transaction, so
    it has to be cheap (tests/notes/test_private.py checks no body is read).

    The learner's practice tests left with no question (all drawn from these notes) go too:
    a test listed under a deleted note's title with nothing in it would only puzzle them. A
    test drawn from several lessons keeps the questions of the others.
    """
    emptied = list(
        Attempt.objects.filter(user=owner, questions__prompt__card__lesson_id__in=lesson_ids)
        .order_by()
        .values_list("pk", flat=True)
        .distinct()
    )
    Card.objects.filter(lesson_id__in=lesson_ids).only("pk").delete()
    Attempt.objects.filter(pk__in=emptied, questions__isnull=True).only("pk").delete()
    Lesson.objects.filter(pk__in=lesson_ids).only("pk").delete()
