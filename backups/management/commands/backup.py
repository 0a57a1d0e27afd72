from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backups.database import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Copy the whole database to a timestamped file while the site runs: SQLite's online "
        "backup API (portal-<UTC time>.sqlite3) or pg_dump (portal-<UTC time>.dump)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="Folder for the file (default: DJANGO_BACKUP_DIR, or var/backups/).",
        )

    def handle(self, *args, dir: Path | None, **options) -> None:  # noqa: A002
        try:
            path = database_backup(directory=dir or settings.BACKUP_DIR)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(path))
