"""The flashcards models' own logic: which prompts are live and which can be studied (the one
definition every read uses), active cards, and a prompt state's leech flag."""

from __future__ import annotations

import datetime as dt

import pytest

from flashcards.models import (
    LEECH_LAPSES,
    Card,
    Prompt,
    PromptState,
    live_prompts,
    studyable_prompts,
)
from lessons.models import Lesson
from tests.conftest import make_card, make_lesson


@pytest.fixture
def prompts(db):
    """One prompt of each kind: studyable, retired itself, on a retired card, in a draft."""
    studyable = make_card().prompts.get()
    retired = make_card().prompts.get()
    Prompt.objects.filter(pk=retired.pk).update(is_active=False)
    on_retired_card = make_card().prompts.get()
    Card.objects.filter(pk=on_retired_card.card_id).update(is_active=False)
    in_draft = make_card(lesson=make_lesson(status=Lesson.Status.DRAFT)).prompts.get()
    return studyable, retired, on_retired_card, in_draft


def test_studyable_prompts_are_live_and_in_a_published_lesson(prompts):
    studyable, _retired, _on_retired_card, _in_draft = prompts
    assert list(Prompt.objects.studyable()) == [studyable]


def test_live_prompts_include_those_in_drafts(prompts):
    studyable, _retired, _on_retired_card, in_draft = prompts
    assert set(Prompt.objects.live()) == {studyable, in_draft}


def test_the_same_conditions_reach_prompts_through_a_relation(prompts, learner):
    now = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    for prompt in prompts:
        PromptState.objects.create(user=learner, prompt=prompt, state=2, due=now)
    studyable, _retired, _on_retired_card, in_draft = prompts
    states = PromptState.objects.filter(user=learner)
    assert [s.prompt for s in states.filter(studyable_prompts("prompt__"))] == [studyable]
    assert {s.prompt for s in states.filter(live_prompts("prompt__"))} == {studyable, in_draft}


def test_a_prompt_is_a_leech_from_the_eighth_lapse():
    assert LEECH_LAPSES == 8
    assert not PromptState(lapses=LEECH_LAPSES - 1).is_leech
    assert PromptState(lapses=LEECH_LAPSES).is_leech
    assert PromptState(lapses=LEECH_LAPSES + 5).is_leech


@pytest.mark.django_db
def test_active_cards_leave_out_retired_ones():
    kept = make_card()
    retired = make_card(is_active=False)
    assert list(Card.objects.active()) == [kept]
    assert retired in Card.objects.all()
