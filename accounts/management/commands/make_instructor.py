from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import instructor_grant, instructor_revoke


class Command(BaseCommand):
    help = (
        "Make a user an instructor: staff status plus the Instructors group, which may add, "
        "change and delete content in the admin. --remove takes it away again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--remove", action="store_true", help="Revoke instead of grant.")

    def handle(self, *args, username: str, remove: bool, **options) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}. Create it first.") from None
        if remove:
            instructor_revoke(user=user)
            self.stdout.write(f"{username} is no longer an instructor.")
        else:
            instructor_grant(user=user)
            self.stdout.write(f"{username} is now an instructor and can sign in to /admin/.")
