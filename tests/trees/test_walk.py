"""Walking a tree from a path string. No database."""

from __future__ import annotations

import pytest

from trees.definition import parse_definition
from trees.walk import MAX_STEPS, format_path, parse_path, walk

_, SPEC = parse_definition(
    """\
? first: First?
- To second -> second
  why: Because.
- To end -> end-a

? second: Second?
- A -> end-a
- B -> end-b

= end-a: Outcome A
= end-b: Outcome B
"""
)


def test_the_empty_path_is_the_start():
    current = walk(SPEC, "")
    assert current.node.key == "first"
    assert current.path == () and current.trail == () and current.back_path is None


def test_a_path_leads_to_its_node_with_the_trail():
    current = walk(SPEC, "1.2")
    assert current.node.key == "end-b" and current.is_finished
    assert current.path == (1, 2)
    assert [(s.question.key, s.choice.label, s.number, s.path_before) for s in current.trail] == [
        ("first", "To second", 1, ()),
        ("second", "B", 2, (1,)),
    ]
    assert current.trail[0].choice.why == "Because."
    assert current.back_path == (1,)


@pytest.mark.parametrize(
    ("raw", "node", "path"),
    [
        ("9", "first", ()),  # no ninth choice
        ("1.9", "second", (1,)),
        ("2.1", "end-a", (2,)),  # past an outcome
        ("1.x", "second", (1,)),
        ("0", "first", ()),
        ("-1", "first", ()),
    ],
)
def test_an_invalid_path_stops_at_its_longest_valid_start(raw, node, path):
    current = walk(SPEC, raw)
    assert (current.node.key, current.path, current.was_invalid) == (node, path, True)


def test_paths_round_trip_and_are_bounded():
    assert parse_path(format_path((3, 1, 2))) == ((3, 1, 2), False)
    numbers, malformed = parse_path(".".join(["1"] * (MAX_STEPS + 50)))
    assert len(numbers) == MAX_STEPS and malformed
