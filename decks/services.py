"""Importing Anki packages: read them (decks/importing.py, no writes), then hand their notes to
the notes import, which writes lessons and cards, and this module's images with them, in one
short transaction. Used by `manage.py import_apkg` and the admin's upload alike."""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass

from decks.importing import (
    DEFAULT_TOPIC,
    DeckImportError,
    DeckReport,
    Image,
    read_decks,
)
from decks.models import DeckImage
from lessons.models import Lesson
from notes.parser import Note
from notes.services import Change, NotesImportError, notes_import_parsed
from portal.problems import Problem

logger = logging.getLogger(__name__)

# Rows per INSERT of images: at most 10 MB each, so a statement stays well under any
# database's packet limit.
_IMAGES_PER_INSERT = 10


@dataclass(frozen=True)
class DeckFile:
    """A package as it arrived: a name to report errors against, and its bytes."""

    name: str
    data: bytes


@dataclass
class DeckImportResult:
    changes: list[Change]
    warnings: list[str]
    report: DeckReport
    images_new: int
    seconds: dict[str, float]  # "read", "write": how long each phase took


def deck_import(
    *, files: list[DeckFile], dry_run: bool = False, default_topic: str = DEFAULT_TOPIC
) -> DeckImportResult:
    """Import the packages' decks as draft lessons with their cards and images, all or nothing.

    Every package is read, cleaned and rendered before anything is written; the lessons, cards
    and images are then written in one transaction (notes_import_parsed's). A deck's lesson is
    known by the deck's name (its `imported_from`), so importing a newer export of a deck
    updates its lesson; an existing lesson of the same address that came from anywhere else is
    an error, never overwritten. New lessons are drafts; a lesson already there keeps its
    status. Raises DeckImportError naming every problem; nothing is saved then.
    """
    started = time.monotonic()
    problems: list[Problem] = []
    notes: list[tuple[str, Note]] = []
    images: dict[str, Image] = {}
    report = DeckReport()
    if not files:
        raise DeckImportError([Problem("no Anki package was given")])
    origin: dict[str, str] = {}  # a deck's name: the file it came from
    for deck_file in files:
        try:
            read = read_decks(deck_file.data, name=deck_file.name, default_topic=default_topic)
        except DeckImportError as error:
            problems += error.problems
            continue
        for name, note in read.notes:
            if name in origin:
                problems.append(
                    Problem(
                        f"holds the same deck as {origin[name]} ({note.source}); import one",
                        where=deck_file.name,
                    )
                )
                continue
            origin[name] = deck_file.name
            notes.append((name, note))
        images.update(read.images)
        _merge(report, read.report)
    if problems:
        raise DeckImportError(problems)
    notes, taken = _as_drafts(notes)
    if taken:
        raise DeckImportError(taken)
    if not notes:
        raise DeckImportError([Problem("the package holds no notes that could be imported")])
    report.images = len(images)
    stored = set(DeckImage.objects.filter(sha256__in=list(images)).values_list("sha256", flat=True))
    new = [image for sha, image in images.items() if sha not in stored]
    read_seconds = time.monotonic() - started
    write_started = time.monotonic()

    def write_images() -> None:
        DeckImage.objects.bulk_create(
            [
                DeckImage(
                    sha256=image.sha256,
                    content_type=image.content_type,
                    size=len(image.data),
                    data=image.data,
                )
                for image in new
            ],
            batch_size=_IMAGES_PER_INSERT,
            # Stored meanwhile by another import: the same bytes, so the same row.
            ignore_conflicts=True,
        )

    try:
        result = notes_import_parsed(
            parsed=notes,
            dry_run=dry_run,
            default_topic=default_topic,
            write_also=None if dry_run else write_images,
        )
    except NotesImportError as error:
        raise DeckImportError(error.problems) from None
    seconds = {"read": read_seconds, "write": time.monotonic() - write_started}
    logger.info("deck import: read %.3f s, then planned and wrote in %.3f s", *seconds.values())
    return DeckImportResult(
        changes=result.changes,
        warnings=result.warnings,
        report=report,
        images_new=len(new),
        seconds=seconds,
    )


def _as_drafts(notes: list[tuple[str, Note]]) -> tuple[list[tuple[str, Note]], list[Problem]]:
    """New lessons as drafts, lessons already there keeping their status; and a problem for
    each address held by a lesson that did not come from the same Anki deck."""
    existing = dict(
        Lesson.objects.filter(slug__in=[note.slug for _, note in notes]).values_list(
            "slug", "imported_from"
        )
    )
    problems = [
        Problem(
            f"its lesson's address '{note.slug}' is taken by a lesson that did not come from "
            "this deck; rename the deck in Anki, or that lesson",
            where=name,
        )
        for name, note in notes
        if note.slug in existing and existing[note.slug] != name
    ]
    drafts = [
        (name, note if note.slug in existing else dataclasses.replace(note, status="draft"))
        for name, note in notes
    ]
    return drafts, problems


def _merge(into: DeckReport, report: DeckReport) -> None:
    into.decks += report.decks
    into.note_types.update(report.note_types)
    into.cards.update(report.cards)
    into.images_skipped += report.images_skipped
    into.sounds_skipped += report.sounds_skipped
    into.notes_skipped += report.notes_skipped
