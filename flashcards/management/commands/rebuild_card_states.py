from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from flashcards.grading import states_rebuild
from flashcards.models import Review


class Command(BaseCommand):
    help = (
        "Recompute learners' card states from the review log, which is the source of truth "
        "(for example after restoring the log from a backup)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("usernames", nargs="*", metavar="USERNAME")
        parser.add_argument("--all", action="store_true", help="Every learner with reviews.")

    def handle(self, *args, usernames: list[str], all: bool, **options) -> None:  # noqa: A002
        User = get_user_model()
        if all == bool(usernames):
            raise CommandError("Name one or more users, or pass --all.")
        if all:
            users = User.objects.filter(pk__in=Review.objects.values("user_id").distinct())
        else:
            users = list(User.objects.filter(username__in=usernames))
            missing = set(usernames) - {user.get_username() for user in users}
            if missing:
                raise CommandError(f"No such user: {', '.join(sorted(missing))}")
        for user in users:
            count = states_rebuild(user=user)
            self.stdout.write(f"{user.get_username()}: rebuilt {count} card states from the log")
