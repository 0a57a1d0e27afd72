"""Importing a 10,000-note Anki deck, for `make bench` (bench/anki_import.py)."""

from __future__ import annotations

import pytest

from bench.anki_import import Timing, measure, package, table
from decks.importing import read_decks


def test_the_package_holds_the_notes_in_one_deck_of_every_kind():
    read = read_decks(package(30), name="bench.apkg")
    ((_name, note),) = read.notes
    assert len(note.cards) == 30
    assert read.report.cards == {"basic": 10, "reversed": 10, "cloze": 10}


def test_the_table_holds_the_whole_the_rate_and_the_write():
    lines = table([Timing("New deck", 10_000, 10_000, 16_666, 669, 6.5, 3.5)])
    assert lines[0].startswith("| Import | Notes | Cards | Prompts")
    assert lines[2] == "| New deck | 10,000 | 10,000 | 16,666 | 669 | 6.50 | 0.65 | 3.50 |"


@pytest.mark.django_db
def test_the_deck_is_imported_twice_and_its_write_read_from_the_log():
    new, again = measure(30)
    assert (new.cards, new.prompts) == (30, 50)
    assert 0 < new.write_s < new.total_s
    assert again.cards == 30  # matched by GUID: nothing duplicated
