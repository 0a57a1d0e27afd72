"""What is wrong with some input, in one form for every kind of input the site reads.

Tree definitions, card blocks, notes, note imports and progress files each raise a subclass of
ProblemList, holding every Problem found. Each Problem says what is wrong and where: the line
when the input has lines, and the place (a file's name, a path into a JSON file) when there is
one. However they are shown (an admin form's errors, a command's output), a problem is written
the same way: "notes/a.md: line 5: unknown field 'Sorce'".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Self

# More than this many problems are summed up in an error's str(): a file of ten thousand bad
# rows should not print ten thousand lines. Every problem stays in `problems`.
SHOWN_PROBLEMS = 10


@dataclass(frozen=True)
class Problem:
    message: str
    line: int | None = None
    where: str = ""  # a file's name, a path into a document; empty when the input is one text

    def __str__(self) -> str:
        parts = [self.where] if self.where else []
        if self.line:
            parts.append(f"line {self.line}")
        return ": ".join([*parts, self.message])

    def about(self, subject: str) -> Problem:
        """The same problem, its message saying what part of the input it is about."""
        return replace(self, message=f"{subject}: {self.message}")

    def within(self, where: str) -> Problem:
        """The same problem, placed in `where` (the file it was found in)."""
        return replace(self, where=where)


class ProblemList(ValueError):
    """Input that cannot be used, with every problem found (at least one); nothing was saved."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems)

    @classmethod
    def one(cls, message: str, line: int | None = None) -> Self:
        """The error for a single problem, as parsers that stop at the first one raise it."""
        return cls([Problem(message, line)])

    def lines(self) -> list[str]:
        """Each problem as one line, for a form's errors or a command's output."""
        return [str(problem) for problem in self.problems]

    def __str__(self) -> str:
        lines = self.lines()
        shown = lines[:SHOWN_PROBLEMS]
        more = len(lines) - len(shown)
        return "\n".join(shown + ([f"... and {more} more"] if more else []))
