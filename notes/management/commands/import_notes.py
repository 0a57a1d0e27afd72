from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lessons.models import Lesson
from notes.parser import MAX_NOTE_BYTES
from notes.services import DEFAULT_TOPIC, NoteFile, NotesImportError, notes_import, summarize
from portal.problems import Problem

NOTE_SUFFIXES = {".md", ".markdown", ".txt"}


class Command(BaseCommand):
    help = (
        "Import Markdown notes (files, or folders searched for .md, .markdown and .txt files) "
        "as lessons, and their decision-tree blocks as trees. Lessons and trees are matched by "
        "slug, so importing again updates them. All or nothing: if any note is bad, each error "
        "is printed and nothing is saved."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; save nothing."
        )
        parser.add_argument(
            "--take-over-trees",
            action="store_true",
            help="Let a note declare a tree another note brought, and take it over.",
        )
        parser.add_argument(
            "--topic",
            default=DEFAULT_TOPIC,
            help=f"Topic for new lessons whose note has no **Topic:** line ({DEFAULT_TOPIC!r}).",
        )
        parser.add_argument(
            "--suggest",
            action="store_true",
            help="Also suggest cards from each note's emphasis (bold phrases, 'term: "
            "definition' bullets, exam-anchor lists), for an instructor to accept or reject "
            "in the admin beside the lesson.",
        )
        parser.add_argument(
            "--accept-suggestions",
            action="store_true",
            help="Suggest cards and accept them all at once (for a person studying alone).",
        )
        parser.add_argument(
            "--status",
            choices=Lesson.Status.values,
            help="Set this status on every imported lesson (new lessons default to published).",
        )

    def handle(
        self,
        *args,
        paths,
        dry_run,
        topic,
        status,
        take_over_trees,
        suggest,
        accept_suggestions,
        **options,
    ) -> None:
        files, errors = collect_note_files(paths)
        if not errors:
            try:
                result = notes_import(
                    files=files,
                    dry_run=dry_run,
                    default_topic=topic,
                    status=status,
                    take_over_trees=take_over_trees,
                    suggest=suggest,
                    accept_suggestions=accept_suggestions,
                )
            except NotesImportError as failure:
                errors = failure.problems
        if errors:
            raise import_refused(self, errors)

        for change in result.changes:
            self.stdout.write(change.describe(dry_run=dry_run))
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(summarize(result.changes, dry_run=dry_run))


def import_refused(command: BaseCommand, errors: list[Problem]) -> CommandError:
    """The error an import command ends with when nothing was imported (this one and
    `import_apkg`): one problem said in it, several each on standard error and then counted."""
    if len(errors) == 1:
        return CommandError(f"{errors[0]} (nothing was imported)")
    for problem in errors:
        command.stderr.write(str(problem))
    return CommandError(f"{len(errors)} errors; nothing was imported")


def collect_note_files(paths: list[str]) -> tuple[list[NoteFile], list[Problem]]:
    """Read the named files and the notes in the named folders (sorted; hidden ones skipped)."""
    files: list[NoteFile] = []
    errors: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in NOTE_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                errors.append(
                    Problem("no .md, .markdown or .txt notes in this folder", where=str(path))
                )
            targets = found
        elif path.is_file():
            targets = [path]
        else:
            errors.append(Problem("no such file or folder", where=str(path)))
            continue
        for target in targets:
            try:
                with target.open("rb") as handle:
                    # One byte over the limit is enough for the parser to report the size.
                    data = handle.read(MAX_NOTE_BYTES + 1)
            except OSError as error:
                errors.append(Problem(f"cannot be read ({error.strerror})", where=str(target)))
                continue
            files.append(NoteFile(name=str(target), data=data))
    return files, errors
