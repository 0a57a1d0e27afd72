"""Walking a tree: from the choices taken so far to the step a learner sees. Pure functions.

A walk is written as the numbers of the choices taken, 1-based, joined by dots: "3.2" means
the third answer to the first question, then the second answer to the question it led to.
That string is what goes in the URL, so a step can be reloaded and shared.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.numbers import whole_number
from trees.definition import ChoiceSpec, NodeSpec, TreeSpec

SEPARATOR = "."
MAX_STEPS = 100  # deeper than any sensible tree; bounds the work a crafted URL can cause
# No question has a thousand answers.
_CHOICE_DIGITS = 3


@dataclass(frozen=True)
class TrailStep:
    """One answered question: what was asked, what was chosen, and the path to ask it again."""

    question: NodeSpec
    choice: ChoiceSpec
    number: int
    path_before: tuple[int, ...]


@dataclass(frozen=True)
class Walk:
    node: NodeSpec
    path: tuple[int, ...]
    trail: tuple[TrailStep, ...]
    # The URL asked for a path this tree does not have; `path` is its longest valid start.
    was_invalid: bool = False

    @property
    def back_path(self) -> tuple[int, ...] | None:
        return self.path[:-1] if self.path else None

    @property
    def is_finished(self) -> bool:
        return self.node.is_outcome


def parse_path(raw: str | None) -> tuple[tuple[int, ...], bool]:
    """The choice numbers in a path string, and whether the string was malformed."""
    if not raw:
        return (), False
    numbers: list[int] = []
    for token in raw.split(SEPARATOR)[: MAX_STEPS + 1]:
        number = whole_number(token, max_digits=_CHOICE_DIGITS)
        if number is None or number < 1 or len(numbers) == MAX_STEPS:
            return tuple(numbers), True
        numbers.append(number)
    return tuple(numbers), False


def format_path(path: tuple[int, ...]) -> str:
    return SEPARATOR.join(str(number) for number in path)


def walk(spec: TreeSpec, raw_path: str | None) -> Walk:
    """Follow the path from the start node as far as it is valid."""
    numbers, malformed = parse_path(raw_path)
    node = spec.nodes[spec.start_key]
    taken: list[int] = []
    trail: list[TrailStep] = []
    for number in numbers:
        if node.is_outcome or number > len(node.choices):
            return Walk(node=node, path=tuple(taken), trail=tuple(trail), was_invalid=True)
        choice = node.choices[number - 1]
        trail.append(
            TrailStep(question=node, choice=choice, number=number, path_before=tuple(taken))
        )
        taken.append(number)
        node = spec.nodes[choice.target]
    return Walk(node=node, path=tuple(taken), trail=tuple(trail), was_invalid=malformed)
