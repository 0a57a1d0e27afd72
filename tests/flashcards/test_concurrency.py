"""Concurrent grades with real threads and real transactions, on SQLite and on PostgreSQL.

SQLite serialises writers through IMMEDIATE transactions; PostgreSQL locks the state row
with SELECT ... FOR UPDATE. Either way no grade may be lost or doubled.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.utils import timezone

from flashcards.grading import grade_submit, grade_undo, states_rebuild
from flashcards.models import PromptState, Review, StudySettings
from flashcards.tokens import GradeRefused, grade_token
from tests.conftest import make_card, make_user

# Committed for real, so that the threads see each other's writes. Emptying the tables afterwards
# would take the Instructors group (made by a migration) from whichever test runs next in this
# process; serialized rollback puts it back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THREADS = 8


def run_together(work, count: int = THREADS) -> list:
    """Start `count` threads at once (a barrier), each running work(index); return results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except BaseException as error:  # noqa: BLE001 - reported below, with the test's failure
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_the_same_grade_sent_many_times_at_once_is_applied_once():
    learner = make_user()
    prompt = make_card().prompts.get()

    token = grade_token(user_id=learner.pk, prompt_id=prompt.pk, version=0, shown_at=timezone.now())
    applied = run_together(lambda i: grade_submit(user=learner, token=token, rating=3).applied)
    assert applied.count(True) == 1
    assert Review.objects.count() == 1
    assert PromptState.objects.get().version == 1


def test_racing_grades_of_one_card_each_land_once_and_none_is_lost():
    """Each thread keeps answering the card at the version it last saw until its grade lands."""
    learner = make_user()
    prompt = make_card().prompts.get()

    def grade_until_applied(index: int) -> int:
        for attempt in range(200):
            state = PromptState.objects.filter(user=learner, prompt=prompt).first()
            version = state.version if state else 0
            token = grade_token(
                user_id=learner.pk, prompt_id=prompt.pk, version=version, shown_at=timezone.now()
            )
            if grade_submit(user=learner, token=token, rating=1 + index % 4).applied:
                return attempt
        raise AssertionError("a grade never landed")

    run_together(grade_until_applied)
    state = PromptState.objects.get()
    assert Review.objects.count() == THREADS
    assert state.version == THREADS and state.reps == THREADS
    # The log is a chain: each review's state before is the previous one's state after.
    chain = list(Review.objects.order_by("reviewed_at", "id"))
    for earlier, later in zip(chain, chain[1:], strict=False):
        assert later.before == earlier.after


def test_many_learners_grading_at_once_all_land():
    learners = [make_user() for _ in range(THREADS)]
    prompt = make_card().prompts.get()

    def grade(index: int) -> bool:
        user = learners[index]
        token = grade_token(
            user_id=user.pk, prompt_id=prompt.pk, version=0, shown_at=timezone.now()
        )
        return grade_submit(user=user, token=token, rating=3).applied

    assert run_together(grade) == [True] * THREADS
    assert Review.objects.count() == THREADS == PromptState.objects.count()


def test_after_an_undone_first_grade_only_the_fresh_token_lands_once():
    """Half the threads replay the undone grade's token, half send the card shown again."""
    learner = make_user()
    prompt = make_card().prompts.get()
    spent = grade_token(user_id=learner.pk, prompt_id=prompt.pk, version=0, shown_at=timezone.now())
    undone = grade_submit(user=learner, token=spent, rating=3).review
    grade_undo(user=learner, review_id=undone.pk)
    fresh = grade_token(user_id=learner.pk, prompt_id=prompt.pk, version=2, shown_at=timezone.now())

    def grade(index: int) -> bool:
        token = fresh if index % 2 else spent
        return grade_submit(user=learner, token=token, rating=1 + index % 4).applied

    assert run_together(grade).count(True) == 1
    review = Review.objects.get()
    assert review.rating % 2 == 0  # from a thread that sent the fresh token
    assert PromptState.objects.get().version == 3


def test_tabs_grading_new_cards_at_once_stay_within_the_daily_new_card_limit():
    """Each thread is a tab opened before any grade, showing a different new card."""
    learner = make_user()
    StudySettings.objects.create(user=learner, new_per_day=3)
    prompts = [make_card(front=f"Card {n}?").prompts.get() for n in range(THREADS)]
    tokens = [
        grade_token(user_id=learner.pk, prompt_id=p.pk, version=0, shown_at=timezone.now())
        for p in prompts
    ]
    results = run_together(lambda i: grade_submit(user=learner, token=tokens[i], rating=3))
    assert [r.applied for r in results].count(True) == 3
    assert [r.new_limit_reached for r in results].count(True) == THREADS - 3
    assert Review.objects.count() == 3 == PromptState.objects.count()


MEMORY_FIELDS = ("prompt_id", "state", "step", "stability", "difficulty", "due", "last_review")
ROUNDS = 6


def assert_states_rebuild_the_same(user) -> None:
    """The log and the states agree: rebuilding the states from the log alone changes none."""
    fields = (*MEMORY_FIELDS, "reps", "lapses")
    stored = list(PromptState.objects.filter(user=user).order_by("prompt_id").values(*fields))
    states_rebuild(user=user)
    rebuilt = list(PromptState.objects.filter(user=user).order_by("prompt_id").values(*fields))
    assert rebuilt == stored


def grade_at_current_version(user, prompt, rating: int):
    state = PromptState.objects.filter(user=user, prompt=prompt).first()
    version = state.version if state else 0
    token = grade_token(
        user_id=user.pk, prompt_id=prompt.pk, version=version, shown_at=timezone.now()
    )
    return grade_submit(user=user, token=token, rating=rating)


def test_two_tabs_grading_the_same_card_leave_one_grade_and_states_that_rebuild_the_same():
    learner = make_user()
    prompts = [make_card(front=f"Card {n}?").prompts.get() for n in range(ROUNDS)]
    for prompt in prompts:
        grade_at_current_version(learner, prompt, 3)  # a review card, at version 1
        tokens = [
            grade_token(user_id=learner.pk, prompt_id=prompt.pk, version=1, shown_at=timezone.now())
            for _ in range(2)
        ]
        results = run_together(
            lambda i, tokens=tokens: grade_submit(user=learner, token=tokens[i], rating=1 + 3 * i),
            count=2,
        )
        assert [r.applied for r in results].count(True) == 1
        assert Review.objects.filter(prompt=prompt).count() == 2
    assert_states_rebuild_the_same(learner)


@pytest.mark.parametrize("same_prompt", [True, False], ids=["same card", "another card"])
def test_an_undo_racing_a_grade_leaves_the_log_and_states_consistent(same_prompt):
    """One thread undoes the learner's latest grade while another grades, again and again:
    whichever lands first, the other is refused or applies cleanly, and the states are what
    the log says."""
    learner = make_user()
    for round_number in range(ROUNDS):
        card = make_card(front=f"Card {round_number}?")
        other = make_card(front=f"Other {round_number}?").prompts.get()
        prompt = card.prompts.get()
        grade_at_current_version(learner, other, 3)
        grade_at_current_version(learner, prompt, 3)
        latest = grade_at_current_version(learner, prompt, 2).review
        graded = prompt if same_prompt else other

        def race(index: int, latest=latest, graded=graded):
            if index == 0:
                try:
                    grade_undo(user=learner, review_id=latest.pk)
                except GradeRefused:
                    return False
                return True
            return grade_at_current_version(learner, graded, 4).applied

        undone, applied = run_together(race, count=2)
        if same_prompt:
            # The grade answered the version it read: applied after the undo too, at the
            # version the undo left, or refused as stale; never on top of a restored state.
            log = list(Review.objects.filter(prompt=prompt).order_by("reviewed_at", "id"))
            for earlier, later in zip(log, log[1:], strict=False):
                assert later.before == earlier.after
        else:
            assert applied  # grading another card never waits for the undo's outcome
        assert Review.objects.filter(pk=latest.pk).exists() != undone
        assert_states_rebuild_the_same(learner)
