from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from flashcards.models import FsrsFit, Review
from flashcards.personal_fsrs import MIN_REVIEWS, fit_run


class Command(BaseCommand):
    help = (
        "Fit FSRS's parameters to learners' own review logs, keeping the fit only where it "
        "predicts their reviews better than the defaults. --queued runs the fits learners "
        "asked for on Study settings that were too large to run in the request (run it from "
        "cron every minute or so)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("usernames", nargs="*", metavar="USERNAME")
        parser.add_argument(
            "--all", action="store_true", help=f"Every learner with {MIN_REVIEWS}+ reviews."
        )
        parser.add_argument("--queued", action="store_true", help="The fits learners asked for.")
        parser.add_argument(
            "--reschedule",
            action="store_true",
            help="Also reschedule open cards (named learners and --all; a queued fit does "
            "what the learner asked).",
        )

    def handle(self, *args, usernames, all, queued, reschedule, **options) -> None:  # noqa: A002
        if sum((bool(usernames), all, queued)) != 1:
            raise CommandError("Name one or more users, or pass --all, or --queued.")
        if queued:
            jobs = list(
                FsrsFit.objects.filter(status=FsrsFit.Status.QUEUED)
                .select_related("user")
                .order_by("requested_at")
            )
        else:
            jobs = [self._job(user, reschedule) for user in self._users(usernames, all)]
        for job in jobs:
            job = fit_run(job=job)
            self.stdout.write(f"{job.user.get_username()}: {self._summary(job)}")

    @staticmethod
    def _users(usernames: list[str], every: bool):
        User = get_user_model()
        if every:
            busy = (
                Review.objects.values("user_id")
                .annotate(n=Count("id"))
                .filter(n__gte=MIN_REVIEWS)
                .values("user_id")
            )
            return list(User.objects.filter(pk__in=busy).order_by("pk"))
        users = list(User.objects.filter(username__in=usernames))
        missing = set(usernames) - {user.get_username() for user in users}
        if missing:
            raise CommandError(f"No such user: {', '.join(sorted(missing))}")
        return users

    @staticmethod
    def _job(user, reschedule: bool) -> FsrsFit:
        job, _ = FsrsFit.objects.update_or_create(
            user=user,
            defaults={
                "status": FsrsFit.Status.QUEUED,
                "reschedule": reschedule,
                "requested_at": timezone.now(),
            },
        )
        return job

    @staticmethod
    def _summary(job: FsrsFit) -> str:
        if job.status != FsrsFit.Status.DONE:
            return f"{job.get_status_display()}: {job.message}"
        return (
            f"{job.review_count:,} reviews; log loss {job.default_log_loss:.4f} default, "
            f"{job.fitted_log_loss:.4f} fitted; RMSE {job.default_rmse:.4f} default, "
            f"{job.fitted_rmse:.4f} fitted; "
            f"{'fitted' if job.kept_fitted else 'default'} parameters kept"
            + (f"; {job.rescheduled} cards rescheduled" if job.rescheduled is not None else "")
        )
