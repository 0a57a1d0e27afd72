from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.database import BackupError, database_description, database_restore


class Command(BaseCommand):
    help = (
        "Replace the whole database with a file made by `backup`, in one transaction: "
        "nothing changes if it fails. Asks first, unless --no-input."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--no-input", dest="interactive", action="store_false", help="Do not ask first."
        )

    def handle(self, *args, file: Path, interactive: bool, **options) -> None:
        if not file.is_file():
            raise CommandError(f"There is no file {file}.")
        if interactive:
            answer = input(
                f"This replaces everything in {database_description()} with {file.name}.\n"
                "Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            database_restore(path=file)
        except BackupError as error:
            raise CommandError(f"{error} Nothing was changed.") from None
        self.stdout.write(
            f"Restored {file.name}. If it is older than this code, run `manage.py migrate` now."
        )
