from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from backups.progress import ProgressInvalid, progress_import, progress_read
from flashcards.models import PromptState, Review, StudySettings


class Command(BaseCommand):
    help = (
        "Replace a learner's study settings, review log and card states with a file from "
        "`export_progress` (all or nothing). Asks first if they have progress here, unless "
        "--no-input."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="Import into this account (default: the file's).")
        parser.add_argument(
            "--no-input", dest="interactive", action="store_false", help="Do not ask first."
        )

    def handle(self, *args, file: Path, user: str | None, interactive: bool, **options) -> None:
        try:
            data = progress_read(file.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except ProgressInvalid as error:
            raise CommandError(f"Nothing was imported:\n{error}") from None
        except ValueError as error:  # not UTF-8, or not JSON
            raise CommandError(f"{file} is not a JSON progress file: {error}.") from None
        username = user or (data.get("username") if isinstance(data, dict) else None)
        if not isinstance(username, str) or not username:
            raise CommandError("The file names no learner: say whose progress it is with --user.")
        User = get_user_model()
        try:
            learner = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(
                f"No user named {username!r}: they sign up first (or pick one with --user)."
            ) from None
        has_progress = any(
            model.objects.filter(user=learner).exists()
            for model in (Review, PromptState, StudySettings)
        )
        if interactive and has_progress:
            answer = input(
                f"{username} has study progress here; the file's replaces it.\n"
                "Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Import cancelled; nothing was changed.")
        try:
            imported = progress_import(user=learner, data=data)
        except ProgressInvalid as error:
            raise CommandError(f"Nothing was imported:\n{error}") from None
        self.stdout.write(
            f"{username}: imported {imported.reviews} reviews and {imported.states} card states"
            + (" and study settings." if imported.settings else ".")
        )
