"""
A question's options as text, and checking a learner's answer. Pure functions.

A question card's back lists its options, each with why it is right or wrong:

    - [ ] Restore the latest manual snapshot over the existing DB instance.
      why: A snapshot is always restored to a new DB instance.
    - [x] Restore the DB instance to a point in time just before the drop.
      why: Point-in-time recovery restores to any second of the retention period.
    - [ ] Rewind the RDS for MySQL instance with Backtrack.
      why: Backtrack is for Aurora MySQL only.

`- [ ]` is a wrong option, `- [x]` a right one: 3 to 6 options, at least one right and at
least one wrong. Every option has a `why:`. Option and `why:` text may continue on lines
indented by two spaces; both are Markdown. Options are lettered A to F in the order written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.problems import Problem, ProblemList

MIN_OPTIONS, MAX_OPTIONS = 3, 6
LETTERS = "ABCDEF"
_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}

OPTION = re.compile(r"^[-*] \[(?P<mark>[ xX])\]\s?(?P<text>.*)$")
_WHY = re.compile(r"^ {2,}why:\s?(?P<text>.*)$")
_CONTINUED = re.compile(r"^ {2,}(?P<text>\S.*)$")


class OptionsError(ProblemList):
    """A question's options that cannot be asked as written."""


@dataclass(frozen=True)
class OptionSpec:
    text: str  # Markdown
    correct: bool
    why: str  # Markdown
    line: int | None = None

    def as_text(self) -> str:
        mark = "x" if self.correct else " "
        return f"- [{mark}] {_indent(self.text)}\n  why: {_indent(self.why)}"


def _indent(text: str) -> str:
    return "\n".join(
        f"  {line}" if index and line else line for index, line in enumerate(text.split("\n"))
    )


def parse_options(text: str, *, first_line: int | None = None) -> list[OptionSpec]:
    """The options written in `text`, checked. Raises OptionsError naming every problem; with
    `first_line` (where `text` starts in a note), each at its line."""
    options: list[dict] = []
    problems: list[Problem] = []
    field: str | None = None  # what continuation lines add to: the last option's text or why

    for offset, raw in enumerate(text.split("\n")):
        number = None if first_line is None else first_line + offset
        line = raw.rstrip()
        if not line.strip():
            if field is not None:
                options[-1][field] += "\n"
            continue
        if option := OPTION.match(line):
            options.append({"text": option["text"], "correct": option["mark"] != " ", "why": None})
            options[-1]["line"] = number
            field = "text"
        elif not options:
            problems.append(
                Problem(
                    f"expected an option, '- [ ] wrong' or '- [x] right': {line[:40]!r}", number
                )
            )
        elif why := _WHY.match(line):
            if options[-1]["why"] is not None:
                problems.append(Problem("an option has two 'why:' lines", number))
            else:
                options[-1]["why"] = why["text"]
                field = "why"
        elif continued := _CONTINUED.match(line):
            options[-1][field] += f"\n{continued['text']}"
        else:
            problems.append(
                Problem(
                    f"{line[:40]!r} is not an option; continue an option's text or 'why:' "
                    "on lines indented by two spaces",
                    number,
                )
            )
    specs = [
        OptionSpec(
            text=option["text"].strip(),
            correct=option["correct"],
            why=(option["why"] or "").strip(),
            line=option["line"],
        )
        for option in options
    ]
    problems.extend(_option_problems(specs, first_line))
    if problems:
        raise OptionsError(sorted(problems, key=lambda problem: problem.line or 0))
    return specs


def _option_problems(options: list[OptionSpec], first_line: int | None) -> list[Problem]:
    problems = []
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        problems.append(
            Problem(
                f"a question needs {MIN_OPTIONS} to {MAX_OPTIONS} options; it has {len(options)}",
                first_line,
            )
        )
    if options and not any(option.correct for option in options):
        problems.append(Problem("no option is marked right: mark it '- [x] ...'", first_line))
    if len(options) > 1 and all(option.correct for option in options):
        problems.append(
            Problem("every option is marked right: mark the wrong ones '- [ ]'", first_line)
        )
    seen: set[str] = set()
    for letter, option in zip(LETTERS, options, strict=False):
        if not option.text:
            problems.append(Problem(f"option {letter} is empty", option.line))
        if not option.why:
            problems.append(
                Problem(
                    f"option {letter} has no 'why:' saying why it is right or wrong", option.line
                )
            )
        if option.text and option.text.casefold() in seen:
            problems.append(
                Problem(f"option {letter} says the same as an earlier one", option.line)
            )
        seen.add(option.text.casefold())
    return problems


def options_text(options: list[OptionSpec]) -> str:
    """The options written back as a question card's back."""
    return "\n".join(option.as_text() for option in options)


def choose_phrase(right_count: int) -> str:
    """What a multiple-answer question asks for, "Choose two."; empty for one answer."""
    if right_count < 2:
        return ""
    return f"Choose {_NUMBER_WORDS.get(right_count, str(right_count))}."


def normalize_choice(chosen, option_count: int) -> str:
    """A learner's picks (letters) as sorted, distinct letters among the question's options,
    "AC". Anything else a form could send is dropped, never trusted."""
    letters = {str(item).strip().upper() for item in chosen}
    return "".join(letter for letter in LETTERS[:option_count] if letter in letters)


def is_right(chosen: str, right: str) -> bool:
    """All of the right options and nothing else: an exam gives no part marks."""
    return bool(chosen) and sorted(chosen) == sorted(right)
