"""How long Markdown takes to render, for ordinary notes and for input built to be slow.

`python -m bench.render` (also part of `make bench`, which puts the table in
docs/PERFORMANCE.md). Each input is rendered at two sizes through `render_markdown`, parse,
sanitize and all, the best of REPEAT runs; the time per 100 KB must stay within the budget at
both, which also shows that time grows in step with the size. Deep nesting is refused, so for
those inputs the time is the time to refuse. Exits non-zero when an input is over budget.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from portal.markdown import MarkdownTooDeep, render_markdown

ROOT = Path(__file__).resolve().parents[1]

SIZES_KB = (100, 300)
# The best of a few runs, as timeit takes: on a shared machine other work only ever slows one.
REPEAT = 3
BUDGET_S_PER_100KB = 1.0  # the bar: "about a second per 100 KB"


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda size: unit * (size // len(unit))


def _nested(line: Callable[[int], str]) -> Callable[[int], str]:
    def make(size: int) -> str:
        lines, total, depth = [], 0, 0
        while total < size:
            lines.append(line(depth))
            total += len(lines[-1]) + 1
            depth += 1
        return "\n".join(lines)

    return make


def _bundled(size: int) -> str:
    notes = sorted((ROOT / "content").rglob("*.md"))
    text = "\n\n".join(path.read_text() for path in notes)
    return (text * (size // len(text) + 1))[:size]


# The inputs first ([[[, ![, nesting, a run of *), then whatever else makes parsers
# backtrack: unclosed links, emphasis, code spans, HTML, entities, tables, admonitions.
INPUTS: dict[str, Callable[[int], str]] = {
    "The bundled notes, repeated": _bundled,
    "[[[[ (unclosed brackets)": _repeat("["),
    "![![ (unclosed images)": _repeat("!["),
    "[[[[ ]]]] (nested brackets)": lambda size: "[" * (size // 2) + "]" * (size // 2),
    "[a]( (unclosed link targets)": _repeat("[a]("),
    "[ [ [ (spaced brackets)": _repeat("[ "),
    "20,000 * in a row, and more": _repeat("*"),
    "*_*_ (mixed emphasis)": _repeat("*_"),
    "**a** (closed emphasis)": _repeat("**a** "),
    "`a` (code spans)": _repeat("`a` "),
    "<b>x</b> (inline HTML)": _repeat("<b>x</b> "),
    "<<<< (unclosed tags)": _repeat("<"),
    "&amp; (entities)": _repeat("&amp; "),
    "[a](https://...) (links)": _repeat("[a](https://example.com/x) "),
    "{: (attribute lists)": _repeat("## h {: #a .b "),
    "| (a table row per line)": _repeat("| a | b |\n|---|---|\n"),
    "!!! (admonitions)": _repeat('!!! note "x"\n    y\n'),
    "Lists nested 1,000 deep": _nested(lambda depth: "  " * depth + "- x"),
    "Block quotes nested line by line": _nested(lambda depth: ">" * (depth % 200) + " x"),
    "> > > on one line": _repeat("> "),
}


@dataclass(frozen=True)
class Timing:
    name: str
    seconds_per_100kb: tuple[float, ...]  # one per size in SIZES_KB
    refused: bool

    @property
    def met(self) -> bool:
        return max(self.seconds_per_100kb) <= BUDGET_S_PER_100KB


def measure() -> list[Timing]:
    timings = []
    for name, make in INPUTS.items():
        rates, refused = [], False
        for kb in SIZES_KB:
            text = make(kb * 1000)
            best = float("inf")
            for _ in range(REPEAT):
                started = time.perf_counter()
                try:
                    render_markdown(text)
                except MarkdownTooDeep:
                    refused = True
                best = min(best, time.perf_counter() - started)
            rates.append(best / (len(text) / 100_000))
        timings.append(Timing(name, tuple(rates), refused))
    return timings


def table(timings: list[Timing]) -> list[str]:
    sizes = " | ".join(f"s per 100 KB at {kb} KB" for kb in SIZES_KB)
    lines = [
        f"| Input | {sizes} | within {BUDGET_S_PER_100KB:.0f} s |",
        "|---|" + "---:|" * len(SIZES_KB) + ":---:|",
    ]
    for timing in timings:
        rates = " | ".join(f"{rate:.2f}" for rate in timing.seconds_per_100kb)
        note = " (refused: too deep)" if timing.refused else ""
        lines.append(f"| {timing.name}{note} | {rates} | {'yes' if timing.met else '**no**'} |")
    return lines


def main() -> None:
    timings = measure()
    print("\n".join(table(timings)))
    if not all(timing.met for timing in timings):
        sys.exit("Some input renders slower than the budget.")


if __name__ == "__main__":
    main()
