from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from backups.files import create_private
from backups.progress import progress_export


class Command(BaseCommand):
    help = (
        "Write one learner's study settings, review log and card states as JSON, naming cards "
        "by lesson and content so `import_progress` can read it on any site with the same notes."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--output", type=Path, help="A file to write (default: stdout).")

    def handle(self, *args, username: str, output: Path | None, **options) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        data = progress_export(user=user)
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
            return
        create_private(output)  # a learner's whole history: for the owner's eyes only
        output.write_text(text, encoding="utf-8")
        self.stdout.write(
            f"Wrote {output}: {len(data['reviews'])} reviews, {len(data['states'])} card states."
        )
