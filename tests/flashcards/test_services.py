"""Grading, undo, rebuilding from the log, and keeping cards in step with notes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from django.core.management import CommandError, call_command

from flashcards.cards import parse_cards
from flashcards.models import LEECH_LAPSES, Card, Prompt, PromptState, Review
from flashcards.scheduling import Memory, make_scheduler, review
from flashcards.services import (
    CardsInvalid,
    GradeRefused,
    cards_sync_from_note,
    grade_submit,
    grade_token,
    grade_undo,
    states_rebuild,
    undo_token,
)
from portal.problems import Problem
from tests.conftest import make_card, make_lesson, make_user

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def token_for(user, prompt, version=0, shown_at=NOW):
    return grade_token(user_id=user.pk, prompt_id=prompt.pk, version=version, shown_at=shown_at)


def state_of(user, prompt) -> PromptState | None:
    return PromptState.objects.filter(user=user, prompt=prompt).first()


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


def test_grading_with_another_users_token_is_not_found_and_changes_nothing(learner):
    other = make_user()
    prompt = make_card().prompts.get()
    with pytest.raises(GradeRefused) as refused:
        grade_submit(user=other, token=token_for(learner, prompt), rating=3, now=NOW)
    assert refused.value.status == 404
    assert not Review.objects.exists() and not PromptState.objects.exists()


@pytest.mark.parametrize(
    "token",
    ["", "garbage", signing.dumps({"u": 1, "p": 1, "v": 0, "t": 0}, salt="another-salt")],
)
def test_a_card_that_was_not_presented_is_refused(learner, token):
    make_card()
    with pytest.raises(GradeRefused) as refused:
        grade_submit(user=learner, token=token, rating=3, now=NOW)
    assert refused.value.status == 400
    assert not Review.objects.exists()


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


def test_an_expired_token_is_refused(learner):
    prompt = make_card().prompts.get()
    token = token_for(learner, prompt)
    with pytest.raises(GradeRefused, match="too long ago"):
        signing_time = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("django.core.signing.time.time", lambda: signing_time.timestamp())
            grade_submit(user=learner, token=token, rating=3, now=NOW)


def test_undo_restores_the_exact_previous_state_and_removes_the_log_row(learner):
    prompt = make_card().prompts.get()
    grade_submit(user=learner, token=token_for(learner, prompt), rating=3, now=NOW)
    before = Memory.from_row(state_of(learner, prompt))
    later = NOW + dt.timedelta(minutes=10)
    second = grade_submit(user=learner, token=token_for(learner, prompt, 1), rating=1, now=later)
    assert Memory.from_row(state_of(learner, prompt)) != before

    grade_undo(user=learner, token=undo_token(user_id=learner.pk, review_id=second.review.pk))
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
    grade_undo(user=learner, token=undo_token(user_id=learner.pk, review_id=result.review.pk))
    assert state_of(learner, prompt) is None and not Review.objects.exists()


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
        grade_undo(user=learner, token=undo_token(user_id=learner.pk, review_id=first.review.pk))
    other = make_user()
    with pytest.raises(GradeRefused) as refused:
        grade_undo(user=other, token=undo_token(user_id=learner.pk, review_id=first.review.pk))
    assert refused.value.status == 404
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


SECTIONED = "## Backups\n\nText.\n\n## Snapshots\n\nMore.\n"


def sync(lesson, text):
    return cards_sync_from_note(lesson=lesson, specs=parse_cards(text), now=NOW)


def test_reimporting_keeps_progress_on_unchanged_cards_and_resurfaces_changed_ones(learner):
    lesson = make_lesson(body=SECTIONED)
    first = sync(
        lesson, "Q: Keep me?\nA: Yes.\nsection: backups\n\nQ: Change me?\nA: Old answer.\n"
    )
    assert (first.created, first.action) == (2, "create")
    keep, change = (Prompt.objects.get(card__front=f) for f in ("Keep me?", "Change me?"))
    for prompt in (keep, change):
        grade_submit(user=learner, token=token_for(learner, prompt), rating=4, now=NOW)
    kept_state = Memory.from_row(state_of(learner, keep))

    result = sync(
        lesson, "Q: Keep me?\nA: Yes.\nsection: backups\n\nQ: Change me?\nA: New answer.\n"
    )
    assert (result.unchanged, result.updated, result.created, result.retired) == (1, 1, 0, 0)
    assert Memory.from_row(state_of(learner, keep)) == kept_state
    changed = Prompt.objects.get(pk=change.pk)
    assert "New answer." in changed.back_html and changed.changed_at == NOW
    assert state_of(learner, changed).due == NOW  # due again now
    assert state_of(learner, changed).stability == kept_state.stability  # progress kept

    gone = sync(lesson, "Q: Keep me?\nA: Yes.\nsection: backups\n")
    assert gone.retired == 1
    assert not Card.objects.get(front="Change me?").is_active
    assert Review.objects.filter(prompt=change).exists()  # history kept


def test_a_card_naming_a_missing_section_is_refused(learner):
    lesson = make_lesson(slug="backups", body=SECTIONED)
    with pytest.raises(CardsInvalid) as invalid:
        sync(lesson, "\nQ: F?\nA: B.\nsection: nowhere\n")
    assert invalid.value.problems == [
        Problem("card 'F?': section '#nowhere' is not a heading of lesson 'backups'", 2)
    ]
    assert not Card.objects.exists()


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
