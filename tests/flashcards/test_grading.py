"""Grading, undo, and rebuilding states from the log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flashcards.grading import grade_submit, grade_undo, states_rebuild
from flashcards.models import LEECH_LAPSES, Card, PromptState, Review, StudySettings
from flashcards.scheduling import Memory, make_scheduler, review
from flashcards.selectors import version_of
from flashcards.tokens import GradeRefused
from tests.conftest import make_card, make_user
from tests.flashcards.conftest import NOW, state_of, token_for

pytestmark = pytest.mark.django_db


def test_a_grade_updates_the_state_and_appends_the_log(learner):
    prompt = make_card().prompts.get()
    shown = NOW - dt.timedelta(seconds=7)
    result = grade_submit(
        user=learner, token=token_for(learner, prompt, shown_at=shown), rating=3, now=NOW
    )
    assert result.applied
    state = state_of(learner, prompt)
    expected = review(None, 3, NOW, make_scheduler(), prompt.pk)
    assert Memory.from_row(state) == expected
    assert state.version == 1
    logged = Review.objects.get()
    assert (logged.rating, logged.reviewed_at, logged.duration_ms) == (3, NOW, 7000)
    assert (logged.state_before, logged.before, logged.state_after) == (None, None, expected.state)
    assert logged.after == expected.to_json()


def test_a_repeated_grade_is_applied_once(learner):
    prompt = make_card().prompts.get()
    token = token_for(learner, prompt)
    first = grade_submit(user=learner, token=token, rating=3, now=NOW)
    again = grade_submit(user=learner, token=token, rating=1, now=NOW + dt.timedelta(seconds=2))
    assert first.applied and not again.applied
    assert Review.objects.count() == 1
    assert state_of(learner, prompt).version == 1


def test_unknown_ratings_and_retired_cards_are_refused(learner):
    card = make_card()
    prompt = card.prompts.get()
    with pytest.raises(GradeRefused):
        grade_submit(user=learner, token=token_for(learner, prompt), rating=5, now=NOW)
    Card.objects.filter(pk=card.pk).update(is_active=False)
    with pytest.raises(GradeRefused) as refused:
        grade_submit(user=learner, token=token_for(learner, prompt), rating=3, now=NOW)
    assert refused.value.status == 404
    assert not Review.objects.exists()


def test_a_card_studied_before_and_retired_since_is_refused(learner):
    card = make_card()
    prompt = card.prompts.get()
    grade_submit(user=learner, token=token_for(learner, prompt), rating=3, now=NOW)
    Card.objects.filter(pk=card.pk).update(is_active=False)
    later = NOW + dt.timedelta(days=3)
    with pytest.raises(GradeRefused) as refused:
        grade_submit(
            user=learner,
            token=token_for(learner, prompt, version=1, shown_at=later),
            rating=3,
            now=later,
        )
    assert refused.value.status == 404
    assert Review.objects.count() == 1
    assert state_of(learner, prompt).version == 1


def test_a_card_studied_before_is_read_with_its_lesson_in_one_query(learner):
    card = make_card()
    prompt = card.prompts.get()
    grade_submit(user=learner, token=token_for(learner, prompt), rating=3, now=NOW)
    later = NOW + dt.timedelta(days=3)
    token = token_for(learner, prompt, version=1, shown_at=later)
    settings = StudySettings(user=learner)
    with CaptureQueriesContext(connection) as captured:
        result = grade_submit(
            user=learner, token=token, rating=3, now=later, study_settings=settings
        )
    assert result.applied and result.lesson_id == card.lesson_id
    reads = [q["sql"] for q in captured if q["sql"].startswith("SELECT")]
    assert len(reads) == 1 and "flashcards_card" in reads[0]
    assert state_of(learner, prompt).version == 2


def test_undo_restores_the_exact_previous_state_and_removes_the_log_row(learner):
    prompt = make_card().prompts.get()
    grade_submit(user=learner, token=token_for(learner, prompt), rating=3, now=NOW)
    before = Memory.from_row(state_of(learner, prompt))
    later = NOW + dt.timedelta(minutes=10)
    second = grade_submit(user=learner, token=token_for(learner, prompt, 1), rating=1, now=later)
    assert Memory.from_row(state_of(learner, prompt)) != before

    grade_undo(user=learner, review_id=second.review.pk)
    state = state_of(learner, prompt)
    assert Memory.from_row(state) == before
    assert Review.objects.count() == 1
    assert state.version == 3  # never back to a spent version
    # The undone grade's token stays spent.
    assert not grade_submit(
        user=learner, token=token_for(learner, prompt, 1), rating=1, now=later
    ).applied


def test_undoing_a_first_grade_makes_the_card_new_again(learner):
    prompt = make_card().prompts.get()
    result = grade_submit(user=learner, token=token_for(learner, prompt), rating=3, now=NOW)
    grade_undo(user=learner, review_id=result.review.pk)
    assert state_of(learner, prompt) is None and not Review.objects.exists()


def test_an_undone_first_grade_stays_spent_and_the_card_is_graded_afresh(learner):
    prompt = make_card().prompts.get()
    spent = token_for(learner, prompt)
    result = grade_submit(user=learner, token=spent, rating=3, now=NOW)
    grade_undo(user=learner, review_id=result.review.pk)
    assert version_of(learner, prompt.pk, None) == 2  # new, and never back to a spent version

    assert not grade_submit(user=learner, token=spent, rating=3, now=NOW).applied
    assert not Review.objects.exists() and state_of(learner, prompt) is None
    # The card shown again names the version it is at; that grade applies, once.
    fresh = token_for(learner, prompt, 2)
    assert grade_submit(user=learner, token=fresh, rating=4, now=NOW).applied
    assert not grade_submit(user=learner, token=fresh, rating=4, now=NOW).applied
    assert not grade_submit(user=learner, token=spent, rating=3, now=NOW).applied
    assert state_of(learner, prompt).version == 3 and Review.objects.count() == 1


def test_only_the_latest_grade_of_ones_own_can_be_undone(learner):
    first_prompt = make_card().prompts.get()
    second_prompt = make_card().prompts.get()
    first = grade_submit(user=learner, token=token_for(learner, first_prompt), rating=3, now=NOW)
    grade_submit(
        user=learner,
        token=token_for(learner, second_prompt),
        rating=3,
        now=NOW + dt.timedelta(seconds=5),
    )
    with pytest.raises(GradeRefused, match="most recent"):
        grade_undo(user=learner, review_id=first.review.pk)
    other = make_user()
    with pytest.raises(GradeRefused, match="most recent"):
        grade_undo(user=other, review_id=first.review.pk)  # not theirs
    assert Review.objects.count() == 2


def test_states_rebuilt_from_the_log_are_identical(learner, settings):
    settings.FLASHCARDS_FUZZ = True  # due dates get random fuzz: the rebuild must keep them
    prompts = [make_card().prompts.get() for _ in range(3)]
    when = NOW
    for round_number, ratings in enumerate([(3, 3, 1), (3, 4, 3), (2, 3, 1), (3, 3, 3)]):
        for prompt, rating in zip(prompts, ratings, strict=True):
            version = state_of(learner, prompt).version if state_of(learner, prompt) else 0
            grade_submit(
                user=learner, token=token_for(learner, prompt, version), rating=rating, now=when
            )
        when += dt.timedelta(days=2 + round_number * 5)
    original = {
        s.prompt_id: (Memory.from_row(s), s.version)
        for s in PromptState.objects.filter(user=learner)
    }

    PromptState.objects.filter(user=learner).update(stability=1.0, due=NOW)
    assert states_rebuild(user=learner) == 3
    rebuilt = {
        s.prompt_id: (Memory.from_row(s), s.version)
        for s in PromptState.objects.filter(user=learner)
    }
    assert rebuilt == original


def test_rebuild_command_names_missing_users(learner):
    with pytest.raises(CommandError, match="No such user: ghost"):
        call_command("rebuild_card_states", "ghost")


def test_leeches_are_counted_from_lapses(learner):
    prompt = make_card().prompts.get()
    when = NOW
    grade_submit(user=learner, token=token_for(learner, prompt), rating=4, now=when)
    for lapse in range(LEECH_LAPSES):
        when += dt.timedelta(days=30)
        state = state_of(learner, prompt)
        grade_submit(
            user=learner, token=token_for(learner, prompt, state.version), rating=1, now=when
        )
        state = state_of(learner, prompt)
        assert state.lapses == lapse + 1
        when += dt.timedelta(hours=1)
        grade_submit(
            user=learner, token=token_for(learner, prompt, state.version), rating=4, now=when
        )
    assert state_of(learner, prompt).is_leech


def test_a_new_cards_first_grade_is_refused_once_todays_new_cards_are_started(learner):
    StudySettings.objects.create(user=learner, new_per_day=2)
    first, second, third = (make_card(front=f"Card {n}?").prompts.get() for n in range(3))
    tokens = [token_for(learner, prompt) for prompt in (first, second, third)]  # three tabs
    assert grade_submit(user=learner, token=tokens[0], rating=3, now=NOW).applied
    assert grade_submit(user=learner, token=tokens[1], rating=3, now=NOW).applied

    refused = grade_submit(user=learner, token=tokens[2], rating=3, now=NOW)
    assert (refused.applied, refused.new_limit_reached) == (False, True)
    assert state_of(learner, third) is None and Review.objects.count() == 2
    # Cards already started are graded as ever; the refused one is new again tomorrow.
    again = token_for(learner, first, version=1, shown_at=NOW)
    assert grade_submit(user=learner, token=again, rating=3, now=NOW).applied
    tomorrow = NOW + dt.timedelta(days=1)
    assert grade_submit(user=learner, token=tokens[2], rating=3, now=tomorrow).applied
