"""Deciding on suggestions (notes/suggestions.py): what accepting refuses, and how it says so.
(Its own file beside tests/notes/test_suggestions.py, which another part of issue 21 writes.)"""

from __future__ import annotations

import pytest

from flashcards.cards import CardSpec
from flashcards.models import Card
from notes.models import Suggestion
from notes.suggestions import SuggestionsInvalid, suggestions_accept
from tests.notes.conftest import import_suggesting_note as import_note

pytestmark = pytest.mark.django_db


def test_accepting_refuses_each_bad_suggestion_by_its_id_and_saves_nothing():
    lesson = import_note()
    definition, bold, restore, _ = Suggestion.objects.filter(lesson=lesson).order_by("position")
    lesson.body = lesson.body.replace("## Restore", "## Restoring")  # its heading is gone
    lesson.save()
    edits = {
        bold.pk: CardSpec(kind="cloze", front="No deletion."),
        definition.pk: CardSpec(kind="basic", front="Q?", back="A.", exam="x" * 201),
    }
    with pytest.raises(SuggestionsInvalid) as refused:
        suggestions_accept(lesson=lesson, suggestions=[definition, bold, restore], edits=edits)
    found = {
        pk: [p.message for p in problems] for pk, problems in refused.value.by_suggestion.items()
    }
    assert found == {
        definition.pk: ["the exam line is 201 characters long; at most 200"],
        bold.pk: ["a cloze card needs at least one {{c1::...}} deletion"],
        restore.pk: ["section '#restore' is not a heading of the lesson"],
    }
    # The problems, flat, say which suggestion each is about, for a command's output.
    assert f"suggestion {restore.pk}: section '#restore' is not a heading of the lesson" in str(
        refused.value
    )
    assert not Card.objects.filter(lesson=lesson).exists()
    assert Suggestion.objects.filter(lesson=lesson).pending().count() == 4
