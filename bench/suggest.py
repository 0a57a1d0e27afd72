"""How long importing a 1 MB note with suggested cards takes (issue 21), as `make bench` runs it:

    python -m bench.suggest [--database sqlite:///path] [--json]

For each input, a note of about 1 MB (the largest a note may be) is imported with
`notes_import(..., suggest=True)` into a fresh database, timed whole and by phase: the compute
phase (parsing, rendering and working out the suggestions, no lock held) and the write phase
(inside the transaction, as notes/services.py logs it). The rules alone (`suggest_cards` over
the note, its one parse included) are timed too, to show their share. Bounded: each input is
imported once and must finish within BUDGET_S; exits non-zero when one does not.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from bench.harness import django_on_fresh_database, run_own_process

NOTE_BYTES = 1_000_000
# No note within the size limit may cost minutes: this bounds an import whole (one CPU).
BUDGET_S = 30.0


def _note(title: str, heading: str, line: Callable[[int], str]) -> bytes:
    lines = [f"# 2026-01-06 — {title}", "", f"## {heading}", ""]
    size, number = sum(len(x) + 1 for x in lines), 0
    while size < NOTE_BYTES:
        lines.append(line(number))
        size += len(lines[-1].encode()) + 1
        number += 1
    return "\n".join(lines).encode()


# What a large note of each shape holds; the last suggests nothing, so the rules read all of it.
INPUTS: dict[str, bytes] = {
    "Bold bullets": _note(
        "Bold bullets", "Facts", lambda n: f"- Fact {n} keeps **value {n}** for a while."
    ),
    "Exam bullets": _note(
        "Exam bullets", "Exam anchors", lambda n: f"- Service {n}: **can be disabled** at will"
    ),
    "Bold that suggests nothing": _note(
        "Bold nothing", "Facts", lambda n: f"- The **same words** say the same words, {n}."
    ),
}


@dataclass
class Timing:
    name: str
    kilobytes: int
    suggestions: int
    total_s: float
    write_s: float
    rules_s: float

    @property
    def compute_s(self) -> float:
        return self.total_s - self.write_s


class _WritePhase(logging.Handler):
    """Catches the write phase's time from notes/services.py's log line."""

    seconds = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"write phase took ([0-9.]+) s", record.getMessage())
        if found:
            self.seconds = float(found[1])


def measure() -> list[Timing]:
    """Import each input into the configured (fresh) database; call after django.setup()."""
    from notes.models import Suggestion
    from notes.parser import read_note
    from notes.services import NoteFile, notes_import
    from notes.suggest import suggest_cards

    handler = _WritePhase()
    logger = logging.getLogger("notes.services")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    timings = []
    for name, data in INPUTS.items():
        note = read_note(data)
        started = time.perf_counter()
        suggest_cards(note)
        rules_s = time.perf_counter() - started
        handler.seconds = 0.0
        started = time.perf_counter()
        notes_import(files=[NoteFile(f"{name}.md", data)], suggest=True)
        total_s = time.perf_counter() - started
        made = Suggestion.objects.filter(lesson__title=name.split(" that")[0]).count()
        timings.append(Timing(name, len(data) // 1000, made, total_s, handler.seconds, rules_s))
    return timings


def table(timings: list[Timing]) -> list[str]:
    lines = [
        "| 1 MB note of | Suggestions | Import (s) | Compute phase (s) | Write phase (s) "
        "| Rules alone (s) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t in timings:
        lines.append(
            f"| {t.name} ({t.kilobytes:,} KB) | {t.suggestions:,} | {t.total_s:.2f} "
            f"| {t.compute_s:.2f} | {t.write_s:.2f} | {t.rules_s:.2f} |"
        )
    return lines


def run() -> list[Timing]:
    """Measure in a process of its own (Django set up on a fresh database), as bench/run.py
    does after the endpoints."""
    found = run_own_process("bench.suggest")
    return [Timing(**{k: v for k, v in row.items() if k != "compute_s"}) for row in found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="a database URL; a fresh SQLite file by default")
    parser.add_argument("--json", action="store_true", help="print JSON, not a table")
    args = parser.parse_args()
    django_on_fresh_database(args.database, "suggest")
    timings = measure()
    if args.json:
        print(json.dumps([asdict(t) | {"compute_s": t.compute_s} for t in timings]))
    else:
        print("\n".join(table(timings)))
    if any(t.total_s > BUDGET_S for t in timings):
        sys.exit(f"An import took longer than {BUDGET_S:.0f} s.")


if __name__ == "__main__":
    main()
