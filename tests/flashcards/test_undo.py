"""The session's undo stack: grades and card actions taken back one at a time, newest first."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from flashcards.models import PromptMark, PromptState, Review, StudySettings
from flashcards.selectors import Scope
from flashcards.study_actions import BURY, FLAG, SUSPEND, card_action
from flashcards.tokens import GradeRefused, undo_token
from flashcards.undo import (
    ALREADY_UNDONE,
    GRADED_SINCE,
    MAX_ACTIONS,
    actions,
    offer,
    push_grade,
    push_marks,
    undo_last,
)
from tests.conftest import grade_now, make_card
from tests.flashcards.conftest import NOW, token_for

pytestmark = pytest.mark.django_db

ALL = Scope()


def everything(user) -> tuple:
    """The learner's states (all but the version, which an undo moves on), log and marks."""
    states = PromptState.objects.filter(user=user).order_by("prompt_id").values()
    return (
        [{k: v for k, v in row.items() if k not in ("id", "version")} for row in states],
        list(Review.objects.filter(user=user).order_by("pk").values()),
        list(PromptMark.objects.filter(user=user).order_by("prompt_id").values()),
    )


def graded(session, user, prompt, rating, when):
    review = grade_now(user, prompt, rating, when).review
    push_grade(session, ALL, review)


def acted(session, user, prompt, action, flag=None, when=NOW):
    result = card_action(
        user=user,
        token=token_for(user, prompt),
        action=action,
        flag=flag,
        study_settings=StudySettings(user=user),
        now=when,
    )
    push_marks(session, ALL, kind=result.kind, prompt_id=result.prompt_id, before=result.before)


def undo(session, user):
    return undo_last(
        user=user, session=session, scope=ALL, token=offer(session, ALL, user.pk).token
    )


def test_undo_goes_back_through_grades_and_card_actions_in_order_restoring_each_state(learner):
    first, second, third = (make_card(front=f"Card {n}?").prompts.get() for n in range(3))
    session = {}
    seen = [everything(learner)]
    steps = [
        lambda: graded(session, learner, first, 3, NOW),
        lambda: graded(session, learner, second, 1, NOW + dt.timedelta(seconds=10)),
        lambda: acted(session, learner, third, BURY),
        lambda: graded(session, learner, first, 3, NOW + dt.timedelta(minutes=11)),
        lambda: acted(session, learner, first, FLAG, flag=PromptMark.Flag.RED),
        lambda: acted(session, learner, second, SUSPEND),
        lambda: acted(session, learner, first, FLAG, flag=PromptMark.Flag.BLUE),
        lambda: graded(session, learner, second, 3, NOW + dt.timedelta(minutes=12)),
    ]
    for step in steps:
        step()
        seen.append(everything(learner))
    labels = [entry["kind"] for entry in actions(session, ALL)]
    assert labels == ["grade", "grade", "bury", "grade", "flag", "suspend", "flag", "grade"]

    shown_again = []
    while offer(session, ALL, learner.pk) is not None:
        undone = undo(session, learner)
        seen.pop()
        assert everything(learner) == seen[-1]
        shown_again.append(undone.prompt_id)
    assert len(seen) == 1 and not Review.objects.exists()
    newest_first = [second, first, second, first, first, third, second, first]
    assert shown_again == [prompt.pk for prompt in newest_first]


def test_each_undo_names_what_it_takes_back_and_the_card_to_show(learner):
    prompt = make_card().prompts.get()
    session = {}
    graded(session, learner, prompt, 3, NOW)
    acted(session, learner, prompt, BURY)
    assert offer(session, ALL, learner.pk).label == "bury"
    undone = undo(session, learner)
    assert undone.prompt_id == prompt.pk and "Bury undone" in undone.notice
    assert undone.review is None
    assert offer(session, ALL, learner.pk).label == "grade"
    undone = undo(session, learner)
    assert undone.review.rating == 3 and undone.prompt_id == prompt.pk
    assert offer(session, ALL, learner.pk) is None


def test_a_grade_that_is_no_longer_the_latest_is_dropped_with_a_word(learner):
    """Another device graded since: the session's grade cannot be undone, and says so."""
    mine, theirs = (make_card(front=f"Card {n}?").prompts.get() for n in range(2))
    session = {}
    acted(session, learner, theirs, FLAG, flag=PromptMark.Flag.GREEN)
    graded(session, learner, mine, 3, NOW)
    grade_now(learner, theirs, 3, NOW + dt.timedelta(seconds=5))  # not on this session's stack
    before = everything(learner)
    undone = undo(session, learner)
    assert undone.notice == GRADED_SINCE and undone.prompt_id is None
    assert everything(learner) == before
    # The entry is gone; the flag before it can still be undone.
    assert offer(session, ALL, learner.pk).label == "flag"
    undo(session, learner)
    assert not PromptMark.objects.exists()


def test_an_undo_pressed_twice_takes_back_one_entry_only(learner):
    prompt = make_card().prompts.get()
    session = {}
    graded(session, learner, prompt, 3, NOW)
    acted(session, learner, prompt, SUSPEND)
    stale = offer(session, ALL, learner.pk).token
    undo_last(user=learner, session=session, scope=ALL, token=stale)
    with pytest.raises(GradeRefused, match=re.escape(ALREADY_UNDONE)):
        undo_last(user=learner, session=session, scope=ALL, token=stale)
    assert Review.objects.count() == 1 and [e["kind"] for e in actions(session, ALL)] == ["grade"]


def test_a_grade_token_other_than_the_newest_is_refused_and_the_stack_kept(learner):
    prompts = [make_card(front=f"Card {n}?").prompts.get() for n in range(2)]
    session = {}
    graded(session, learner, prompts[0], 3, NOW)
    graded(session, learner, prompts[1], 3, NOW + dt.timedelta(seconds=5))
    older = undo_token(user_id=learner.pk, review_id=Review.objects.earliest("pk").pk)
    with pytest.raises(GradeRefused, match="most recent"):
        undo_last(user=learner, session=session, scope=ALL, token=older)
    assert len(actions(session, ALL)) == 2 and Review.objects.count() == 2


def test_the_stack_keeps_the_newest_entries_only(learner):
    prompt = make_card().prompts.get()
    session = {}
    for _ in range(MAX_ACTIONS + 5):
        push_marks(session, ALL, kind=FLAG, prompt_id=prompt.pk, before=[])
    entries = actions(session, ALL)
    assert len(entries) == MAX_ACTIONS
    assert entries[0]["id"] == 6 and entries[-1]["id"] == MAX_ACTIONS + 5


def test_the_stack_belongs_to_the_scope_studied(learner):
    prompt = make_card().prompts.get()
    session = {}
    graded(session, learner, prompt, 3, NOW)
    assert offer(session, ALL, learner.pk) is not None
    assert offer(session, Scope.parse("exam"), learner.pk) is None
