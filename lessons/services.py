"""Writes to lessons."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from flashcards.card_sync import card_prompts_sync
from flashcards.models import Card
from lessons.models import Lesson, Topic
from notes.parser import Note
from portal.markdown import Rendered

# Fields a note sets on its lesson, in the order a report lists them.
NOTE_FIELDS = ("title", "topic", "summary", "source", "theme", "date", "body", "status", "position")


def lesson_upsert_from_note(
    *,
    note: Note,
    name: str,
    default_topic: str,
    status: str | None,
    rendered: Rendered | None = None,
    owner=None,
) -> tuple[str, tuple[str, ...]]:
    """Create or update the lesson with the note's slug; return the action and changed fields.

    On an existing lesson the topic, status and position change only when the note (or
    `status`) says so, which keeps what an instructor chose in the admin. `rendered` is the
    note's body already rendered (the importer renders before it takes the write lock). With
    `owner`, topics are that learner's private ones.
    """
    lesson = Lesson.objects.select_for_update().filter(slug=note.slug).first()
    if lesson is not None and _owner_of(lesson) != (owner.pk if owner else None):
        raise LessonNotYours(note.slug)
    values = _note_values(note, status)
    if lesson is None:
        topic = topic_for_title(note.topic or default_topic, owner=owner)
        values["topic"] = topic
        values.setdefault("status", Lesson.Status.PUBLISHED)
        values.setdefault("position", _next_position(topic.pk))
        lesson = Lesson(slug=note.slug, imported_from=name, **values)
        if rendered is not None:
            lesson.use_rendering(rendered)
        lesson.save(force_insert=True)
        return "create", ()

    changed = _changed_fields(lesson, values, owner=owner)
    if not changed:
        return "unchanged", ()
    for key in changed:
        value = values[key]
        setattr(lesson, key, topic_for_title(value, owner=owner) if key == "topic" else value)
    lesson.imported_from = name
    if rendered is not None and "body" in changed:
        lesson.use_rendering(rendered)
    lesson.save()
    return "update", changed


class LessonNotYours(Exception):
    """The note's slug is a lesson of another owner's (a learner's private one, or the site's
    for a learner's note): the importer checks before it writes, this holds while it writes."""


def _owner_of(lesson: Lesson) -> int | None:
    return Topic.objects.filter(pk=lesson.topic_id).values_list("owner_id", flat=True).first()


def lesson_change_from_note(
    *, note: Note, status: str | None, owner=None
) -> tuple[str, tuple[str, ...]]:
    """What `lesson_upsert_from_note` would do, read without locking or writing anything."""
    lesson = Lesson.objects.select_related("topic").filter(slug=note.slug).first()
    if lesson is None:
        return "create", ()
    changed = _changed_fields(lesson, _note_values(note, status), owner=owner)
    return ("update" if changed else "unchanged"), changed


def _note_values(note: Note, status: str | None) -> dict[str, object]:
    """What the note sets on its lesson; the topic by its title. Topic, status and position
    only when the note (or `status`) names them."""
    values: dict[str, object] = {
        "title": note.title,
        "summary": note.summary or note.theme,
        "source": note.source,
        "theme": note.theme,
        "date": note.date,
        "body": note.body,
    }
    if note.topic:
        values["topic"] = note.topic
    if note.status or status:
        values["status"] = note.status or status
    if note.order is not None:
        values["position"] = note.order
    return values


def _changed_fields(lesson: Lesson, values: dict[str, object], *, owner=None) -> tuple[str, ...]:
    def differs(key: str) -> bool:
        if key == "topic":  # a topic is the one its title's slug names
            return lesson.topic.slug != topic_slug(values[key], owner)
        return getattr(lesson, key) != values[key]

    return tuple(key for key in NOTE_FIELDS if key in values and differs(key))


def topic_for_title(title: str, *, owner=None) -> Topic:
    """The topic with this title's slug, created at the end of the list if it is new; with
    `owner`, that learner's private topic of this title."""
    slug = topic_slug(title, owner)
    topic = Topic.objects.filter(slug=slug).first()
    if topic is None:
        position = (Topic.objects.aggregate(last=Max("position"))["last"] or 0) + 1
        topic = Topic.objects.create(title=title, slug=slug, position=position, owner=owner)
    return topic


def topic_slug(title: str, owner=None) -> str:
    """The slug of the topic titled `title`: the site's, or `owner`'s private one."""
    return slugify(title) if owner is None else private_slug(slugify(title), owner)


def private_slug(slug: str, owner) -> str:
    """A slug made a learner's own: `<slug>-u<user id>`, so two learners' notes of one title,
    and the site's lesson of that title, never share an address."""
    suffix = f"-u{owner.pk}"
    return f"{slug[: Lesson._meta.get_field('slug').max_length - len(suffix)]}{suffix}"


COPY_SUFFIX = "-copy"


def _copy_slug(slug: str) -> str:
    """`<slug>-copy`, else `<slug>-copy-2`, `-copy-3`…: the first no lesson has."""
    base = f"{slug[: Lesson._meta.get_field('slug').max_length - 12]}{COPY_SUFFIX}"
    taken = set(Lesson.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@transaction.atomic
def lesson_duplicate(*, lesson: Lesson) -> Lesson:
    """A draft copy of the lesson with its cards, at the end of its topic; learners' data
    (reviews, states, progress) stays with the original.

    The copy is not the note's (`imported_from` is empty), so re-importing the note updates
    the original only, and its cards are the admin's.
    """
    title_max = Lesson._meta.get_field("title").max_length
    copy = Lesson(
        topic_id=lesson.topic_id,
        title=f"{lesson.title[: title_max - 7]} (copy)",
        slug=_copy_slug(lesson.slug),
        summary=lesson.summary,
        source=lesson.source,
        theme=lesson.theme,
        date=lesson.date,
        position=_next_position(lesson.topic_id),
        status=Lesson.Status.DRAFT,
        body=lesson.body,
    )
    # The body is the original's, so is its rendering: saving must not render it again inside
    # the transaction (on SQLite the write lock is held from BEGIN).
    copy.body_html, copy.toc, copy._rendered_body = lesson.body_html, lesson.toc, lesson.body
    copy.save()
    for card in lesson.cards.prefetch_related("tags").order_by("position", "id"):
        tags = list(card.tags.all())
        card.pk = None
        card._state.adding = True
        card.lesson = copy
        card.origin = Card.Origin.ADMIN
        card.save()
        card.tags.set(tags)
        card_prompts_sync(card)
    return copy


def _next_position(topic_id: int) -> int:
    last = Lesson.objects.filter(topic_id=topic_id).aggregate(last=Max("position"))["last"]
    return 1 if last is None else last + 1


@transaction.atomic
def lesson_move(*, lesson: Lesson, offset: int) -> None:
    """Move the lesson `offset` places within its topic (-1 up, +1 down), as far as it can go,
    numbering the topic's lessons 1, 2, 3… in reading order: positions stay dense, so the
    next move always changes the order a learner sees."""
    siblings = list(
        Lesson.objects.select_for_update()
        .filter(topic_id=lesson.topic_id)
        .order_by("position", "title", "id")
    )
    index = next((i for i, sibling in enumerate(siblings) if sibling.pk == lesson.pk), None)
    if index is None:  # moved to another topic (or deleted) since it was read: nothing to do
        return
    target = max(0, min(len(siblings) - 1, index + offset))
    siblings.insert(target, siblings.pop(index))
    changed = []
    for number, sibling in enumerate(siblings, start=1):
        if sibling.position != number:
            sibling.position = number
            changed.append(sibling)
    Lesson.objects.bulk_update(changed, ["position"])
