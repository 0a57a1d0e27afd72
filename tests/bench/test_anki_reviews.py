"""Bringing Anki reviews back, for `make bench` (bench/anki_reviews.py)."""

from __future__ import annotations

import pytest

from bench.anki_reviews import Timing, measure, table
from flashcards.models import PromptState, Review


def test_the_table_holds_each_phase():
    lines = table(Timing(2000, 20000, 520, 20000, 0.02, 5.5, 0.3))

    assert lines[0].startswith("| Anki reviews | Prompts | Package | Added | Read (s)")
    assert lines[2] == "| 20,000 | 2,000 | 520 KB | 20,000 | 0.02 | 5.50 | 0.30 | 5.82 |"


@pytest.mark.django_db
def test_a_small_upload_is_measured_and_its_write_phase_read_from_the_log():
    timing = measure(prompts=20, reviews=200)

    assert timing.added == 200
    assert Review.objects.filter(anki_id__isnull=False).count() == 200
    assert PromptState.objects.count() == 20
    assert 0 < timing.write_s < timing.total_s
