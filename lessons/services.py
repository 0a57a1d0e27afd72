"""Writes to lessons: importing notes. Used by `import_notes` and the admin's upload alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from lessons.models import Lesson, Topic
from lessons.notes import Note, NoteError, read_note

DEFAULT_TOPIC = "Imported notes"

# Fields a note sets on its lesson, in the order a report lists them.
NOTE_FIELDS = ("title", "topic", "summary", "source", "theme", "date", "body", "status", "position")


@dataclass(frozen=True)
class NoteFile:
    """A note as it arrived: a name to report errors against, and its raw bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class LessonChange:
    name: str
    slug: str
    action: str  # "create", "update" or "unchanged"
    changed: tuple[str, ...] = ()

    def describe(self, *, dry_run: bool) -> str:
        verbs = {
            "create": ("would create", "created"),
            "update": ("would update", "updated"),
            "unchanged": ("unchanged", "unchanged"),
        }
        verb = verbs[self.action][0 if dry_run else 1]
        detail = f" ({', '.join(self.changed)})" if self.action == "update" else ""
        return f"{verb}: {self.slug}{detail}  [{self.name}]"


class NotesImportError(Exception):
    """One or more notes were bad; nothing was saved. Each error names its file."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass
class _Parsed:
    file: NoteFile
    note: Note
    changes: list[LessonChange] = field(default_factory=list)


def notes_import(
    *,
    files: Iterable[NoteFile],
    dry_run: bool = False,
    default_topic: str = DEFAULT_TOPIC,
    status: str | None = None,
) -> list[LessonChange]:
    """Create or update one lesson per note, all or nothing.

    Every file is parsed before anything is written; if any is bad, NotesImportError lists
    them all and the database is untouched. A lesson is matched by slug, so importing a note
    again updates its lesson. On an existing lesson, the topic, status and position change only
    when the note (or `status`) says so, which keeps an instructor's edits in the admin.
    With `dry_run`, the same work runs inside a transaction that is rolled back.
    """
    parsed, errors = _parse_all(files)
    if errors:
        raise NotesImportError(errors)

    with transaction.atomic():
        changes = [
            _lesson_upsert(note=item.note, name=item.file.name, default_topic=default_topic,
                           status=status)
            for item in parsed
        ]  # fmt: skip
        if dry_run:
            transaction.set_rollback(True)
    return changes


def _parse_all(files: Iterable[NoteFile]) -> tuple[list[_Parsed], list[str]]:
    parsed: list[_Parsed] = []
    errors: list[str] = []
    first_file_for_slug: dict[str, str] = {}
    for note_file in files:
        try:
            note = read_note(note_file.data)
        except NoteError as error:
            errors.append(f"{note_file.name}: {error}")
            continue
        if note.slug in first_file_for_slug:
            errors.append(
                f"{note_file.name}: gives the slug {note.slug!r}, "
                f"as {first_file_for_slug[note.slug]} does; add a **Slug:** line to one of them"
            )
            continue
        first_file_for_slug[note.slug] = note_file.name
        parsed.append(_Parsed(file=note_file, note=note))
    if not parsed and not errors:
        errors.append("no notes were given")
    return parsed, errors


def _lesson_upsert(
    *, note: Note, name: str, default_topic: str, status: str | None
) -> LessonChange:
    lesson = Lesson.objects.select_for_update().filter(slug=note.slug).first()
    values: dict[str, object] = {
        "title": note.title,
        "summary": note.summary or note.theme,
        "source": note.source,
        "theme": note.theme,
        "date": note.date,
        "body": note.body,
    }
    wanted_status = note.status or status
    if lesson is None:
        topic = _topic_for(note.topic or default_topic)
        values["topic"] = topic
        values["status"] = wanted_status or Lesson.Status.PUBLISHED
        values["position"] = note.order if note.order is not None else _next_position(topic)
        Lesson.objects.create(slug=note.slug, imported_from=name, **values)
        return LessonChange(name=name, slug=note.slug, action="create")

    if note.topic:
        values["topic"] = _topic_for(note.topic)
    if wanted_status:
        values["status"] = wanted_status
    if note.order is not None:
        values["position"] = note.order
    changed = tuple(
        key for key in NOTE_FIELDS if key in values and getattr(lesson, key) != values[key]
    )
    if not changed:
        return LessonChange(name=name, slug=note.slug, action="unchanged")
    for key in changed:
        setattr(lesson, key, values[key])
    lesson.imported_from = name
    lesson.save()
    return LessonChange(name=name, slug=note.slug, action="update", changed=changed)


def _topic_for(title: str) -> Topic:
    slug = slugify(title)
    topic = Topic.objects.filter(slug=slug).first()
    if topic is None:
        position = (Topic.objects.aggregate(last=Max("position"))["last"] or 0) + 1
        topic = Topic.objects.create(title=title, slug=slug, position=position)
    return topic


def _next_position(topic: Topic) -> int:
    return (topic.lessons.aggregate(last=Max("position"))["last"] or 0) + 1
