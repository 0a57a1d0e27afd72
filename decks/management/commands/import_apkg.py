from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from decks.importing import DEFAULT_TOPIC, MAX_UPLOAD_BYTES, DeckImportError
from decks.services import DeckFile, deck_import
from notes.management.commands.import_notes import import_refused
from notes.services import summarize
from portal.problems import Problem


class Command(BaseCommand):
    help = (
        "Import Anki packages (.apkg, or a whole collection's .colpkg): each deck that holds "
        "notes becomes a draft lesson with its cards and images. Importing a newer export of "
        "the same deck updates its lesson and cards. All or nothing: if anything is wrong, each "
        "error is printed and nothing is saved."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", metavar="FILE")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; save nothing."
        )
        parser.add_argument(
            "--topic",
            default=DEFAULT_TOPIC,
            help=f"Topic for lessons of top-level decks ({DEFAULT_TOPIC!r}); a deck "
            "'Topic::Deck' is a lesson in the topic 'Topic'.",
        )

    def handle(self, *args, paths, dry_run, topic, **options) -> None:
        files, errors = _read_files(paths)
        if not errors:
            try:
                result = deck_import(files=files, dry_run=dry_run, default_topic=topic)
            except DeckImportError as failure:
                errors = failure.problems
        if errors:
            raise import_refused(self, errors)
        for change in result.changes:
            self.stdout.write(change.describe(dry_run=dry_run))
        for line in result.report.lines():
            self.stdout.write(line)
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(summarize(result.changes, dry_run=dry_run))


def _read_files(paths: list[str]) -> tuple[list[DeckFile], list[Problem]]:
    files: list[DeckFile] = []
    errors: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            errors.append(Problem("no such file", where=raw))
            continue
        try:
            with path.open("rb") as handle:
                # One byte over the limit is enough for the reader to report the size.
                files.append(DeckFile(name=raw, data=handle.read(MAX_UPLOAD_BYTES + 1)))
        except OSError as error:
            errors.append(Problem(f"cannot be read ({error.strerror})", where=raw))
    return files, errors
