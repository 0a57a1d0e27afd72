"""Fill the database with a realistic load: many learners, their card states and review history.

For benchmarks and scale tests, never for a real site. Additive: learners that already exist
are kept, so a small data set can grow into a large one.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from flashcards.card_sync import card_prompts_sync
from flashcards.grading import review_entry, store_memory
from flashcards.models import Card, Prompt, PromptState, Review
from flashcards.scheduling import Memory, make_scheduler, review
from lessons.models import Lesson
from lessons.services import topic_for_title

PRACTICE_LESSON = "generated-practice-deck"
BATCH = 5000


def practice_prompts(count: int) -> list[Prompt]:
    """`count` studyable prompts: the bundled deck's, topped up with a generated lesson."""
    active = Prompt.objects.studyable()
    missing = count - active.count()
    if missing > 0:
        lesson, _ = Lesson.objects.get_or_create(
            slug=PRACTICE_LESSON,
            defaults={
                "title": "Generated practice deck",
                "topic": topic_for_title("Practice"),
                "status": Lesson.Status.PUBLISHED,
                "body": "## Practice\\n\\nCards.\\n",
            },
        )
        start = lesson.cards.count()
        for number in range(start, start + missing):
            card = Card.objects.create(
                lesson=lesson,
                front=f"Practice question {number}?",
                back=f"Practice answer {number}.",
                position=number,
            )
            card_prompts_sync(card)
    return list(active.order_by("pk")[:count])


def simulated_card_log(
    user,
    prompt: Prompt,
    *,
    first: dt.datetime,
    until: dt.datetime,
    scheduler,
    rate: Callable[[Memory | None, dt.datetime], int],
    duration_ms: Callable[[], int],
) -> tuple[list[Review], PromptState]:
    """One learner's reviews of one prompt, from `first` until `until`, each when FSRS said it
    was due and rated by `rate`, and the state they leave: the rows grading would write."""
    reviews: list[Review] = []
    when, memory = first, None
    while when < until:
        rating = rate(memory, when)
        before, memory = memory, review(memory, rating, when, scheduler, prompt.pk)
        reviews.append(
            review_entry(
                user=user,
                prompt_id=prompt.pk,
                rating=rating,
                reviewed_at=when,
                before=before,
                after=memory,
                duration_ms=duration_ms(),
            )
        )
        when = max(memory.due, when + dt.timedelta(minutes=1))
    state = PromptState(user=user, prompt=prompt, version=memory.reps)
    store_memory(state, memory)
    return reviews, state


class Command(BaseCommand):
    help = (
        "Generate load-test data: LEARNERS learners with a state for each of CARDS cards, "
        "and a year of FSRS-simulated reviews for HISTORY of them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--learners", type=int, default=10_000)
        parser.add_argument("--cards", type=int, default=100)
        parser.add_argument("--history", type=int, default=100, help="Learners with a review log.")
        parser.add_argument("--days", type=int, default=365, help="Length of that history.")
        parser.add_argument("--prefix", default="load", help="Username prefix of the learners.")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, learners, cards, history, days, prefix, seed, **options) -> None:
        if learners < 1 or cards < 1 or days < 1 or history > learners:
            raise CommandError(
                "Need at least one learner, card and day, and --history <= --learners."
            )
        started = time.perf_counter()
        rng = random.Random(seed)
        now = timezone.now()
        prompts = practice_prompts(cards)
        users = self._learners(prefix, learners)
        with_history = users[:history]
        self._history(with_history, prompts, days, now, rng)
        self._states(users[history:], prompts, now, rng)
        self.stdout.write(
            f"{len(users)} learners x {len(prompts)} cards: "
            f"{PromptState.objects.count():,} card states, {Review.objects.count():,} reviews "
            f"in the database ({time.perf_counter() - started:.1f} s)."
        )

    def _learners(self, prefix: str, count: int) -> list:
        User = get_user_model()
        names = [f"{prefix}{number:06d}" for number in range(count)]
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        password = make_password(f"{prefix}-not-for-logins")  # one hash: hashing 10,000 is slow
        User.objects.bulk_create(
            [User(username=name, password=password) for name in names if name not in existing],
            batch_size=BATCH,
        )
        by_name = {user.username: user for user in User.objects.filter(username__in=names)}
        return [by_name[name] for name in names]

    def _states(self, users, prompts, now, rng) -> None:
        """A plausible state per learner and card: mostly reviews spread over two months."""
        has_states = set(
            PromptState.objects.filter(user__in=users).values_list("user_id", flat=True).distinct()
        )
        batch: list[PromptState] = []
        for user in users:
            if user.pk in has_states:
                continue
            for prompt in prompts:
                stability = rng.uniform(0.5, 120.0)
                due = now + dt.timedelta(hours=rng.uniform(-48, 24 * 60))
                batch.append(
                    PromptState(
                        user=user,
                        prompt=prompt,
                        state=PromptState.State.REVIEW,
                        step=None,
                        stability=stability,
                        difficulty=rng.uniform(1, 10),
                        due=due,
                        last_review=due - dt.timedelta(days=stability),
                        reps=rng.randint(1, 12),
                        lapses=rng.randint(0, 3),
                        version=1,
                    )
                )
            if len(batch) >= BATCH * 4:
                self._flush(batch)
        self._flush(batch)

    @staticmethod
    def _flush(batch: list) -> None:
        with transaction.atomic():
            PromptState.objects.bulk_create(batch, batch_size=BATCH)
        batch.clear()

    def _history(self, users, prompts, days, now, rng) -> None:
        """Learners who studied for `days`: reviews simulated through FSRS, states to match.

        Each stopped at some moment in the last three days and has come back, so the cards
        that fell due since are waiting, as they would be for someone opening the study page.
        """
        scheduler = make_scheduler()
        started = set(
            PromptState.objects.filter(user__in=users).values_list("user_id", flat=True).distinct()
        )
        for user in users:
            if user.pk in started:  # studied already, in an earlier, smaller run
                continue
            reviews, states = [], []
            span = days * 24 * 60  # minutes
            gap = rng.randint(0, min(3 * 24 * 60, span // 4))
            stopped = now - dt.timedelta(minutes=gap)
            # Each card is first seen within the first month, or the first half of the time
            # studied: always before the learner stopped.
            first_seen = min(30 * 24 * 60, (span - gap) // 2)
            for prompt in prompts:
                card_reviews, state = simulated_card_log(
                    user,
                    prompt,
                    first=now - dt.timedelta(minutes=span - rng.randint(0, first_seen)),
                    until=stopped,
                    scheduler=scheduler,
                    rate=lambda memory, when: rng.choices((1, 2, 3, 4), weights=(1, 2, 12, 3))[0],
                    duration_ms=lambda: rng.randint(1500, 20000),
                )
                reviews += card_reviews
                states.append(state)
            with transaction.atomic():
                Review.objects.bulk_create(reviews, batch_size=BATCH)
                PromptState.objects.bulk_create(states, batch_size=BATCH)
