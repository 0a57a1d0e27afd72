"""The flashcards models' own logic: active cards, and a prompt state's leech flag."""

from __future__ import annotations

import pytest

from flashcards.models import LEECH_LAPSES, Card, PromptState
from tests.conftest import make_card


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
