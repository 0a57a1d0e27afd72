"""A learner's marks on prompts: each change returns the marks before it, and restoring them
puts back exactly that, a prompt without marks keeping no row."""

from __future__ import annotations

import datetime as dt

import pytest

from flashcards.marks import MarkSnapshot, marks_change, marks_restore
from flashcards.models import PromptMark
from tests.conftest import make_card, make_user

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def marks_of(user) -> dict[int, tuple]:
    return {
        row.prompt_id: (row.flag, row.suspended, row.buried_until)
        for row in PromptMark.objects.filter(user=user)
    }


def test_a_change_sets_one_mark_keeps_the_others_and_returns_the_marks_before(learner):
    flagged, plain = make_card().prompts.get(), make_card().prompts.get()
    marks_change(user=learner, prompt_ids=[flagged.pk], flag=PromptMark.Flag.RED)

    before = marks_change(user=learner, prompt_ids=[plain.pk, flagged.pk], suspended=True)

    assert before == [
        MarkSnapshot(prompt_id=flagged.pk, flag=PromptMark.Flag.RED),
        MarkSnapshot(prompt_id=plain.pk),
    ]
    assert marks_of(learner) == {flagged.pk: (1, True, None), plain.pk: (0, True, None)}
    marks_restore(user=learner, snapshots=before)
    assert marks_of(learner) == {flagged.pk: (1, False, None)}  # no row for the plain prompt


def test_marks_are_the_learners_own(learner):
    prompt = make_card().prompts.get()
    other = make_user(username="other")
    marks_change(user=other, prompt_ids=[prompt.pk], suspended=True)
    assert marks_change(user=learner, prompt_ids=[prompt.pk], flag=2) == [
        MarkSnapshot(prompt_id=prompt.pk)
    ]
    assert marks_of(other) == {prompt.pk: (0, True, None)}


def test_a_snapshot_survives_json_as_an_undo_keeps_it():
    snapshot = MarkSnapshot(prompt_id=3, flag=4, suspended=True, buried_until=NOW)
    assert MarkSnapshot.from_json(snapshot.to_json()) == snapshot


def test_only_marks_can_be_changed(learner):
    with pytest.raises(TypeError):
        marks_change(user=learner, prompt_ids=[1], due=NOW)
