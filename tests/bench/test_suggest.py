"""Importing a 1 MB note with suggestions, for `make bench` (bench/suggest.py)."""

from __future__ import annotations

import pytest

from bench import suggest as bench_suggest
from bench.suggest import INPUTS, Timing, _note, measure, table
from notes.parser import MAX_NOTE_BYTES, read_note


@pytest.mark.parametrize("name", INPUTS)
def test_each_input_is_a_note_at_the_size_limit(name):
    data = INPUTS[name]

    assert 990_000 < len(data) <= MAX_NOTE_BYTES
    assert read_note(data).title


def test_the_table_holds_each_phase():
    lines = table([Timing("Bold bullets", 1000, 5000, 5.0, 0.75, 2.5)])

    assert lines[0].startswith("| 1 MB note of | Suggestions | Import (s) | Compute phase (s)")
    assert lines[2] == "| Bold bullets (1,000 KB) | 5,000 | 5.00 | 4.25 | 0.75 | 2.50 |"


@pytest.mark.django_db
def test_each_input_is_imported_and_its_write_phase_read_from_the_log(monkeypatch):
    small = _note("Bold bullets", "Facts", lambda n: f"- Fact {n} keeps **value {n}**.")[:2000]
    monkeypatch.setattr(bench_suggest, "INPUTS", {"Bold bullets": small})

    [timing] = measure()

    assert timing.suggestions > 10
    assert 0 < timing.write_s < timing.total_s
