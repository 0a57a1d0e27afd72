"""Tree definitions: the text format and every way validation refuses a broken tree. No database."""

from __future__ import annotations

import json

import pytest

from tests.conftest import deep_tree_definition
from trees.definition import (
    MAX_DEPTH,
    DefinitionError,
    TreeSpec,
    all_paths,
    deepest_path,
    find_cycle,
    parse_definition,
    parse_tree_block,
    validate,
)

GOOD = """\
start: source

? source: What are you restoring from?
- An automated backup -> window
  why: Backups keep logs.
- A manual snapshot -> snapshot

? window: Inside the retention period?
- Yes -> pitr
- No -> snapshot

= pitr: Point-in-time restore
link: restore-paths#restoring-creates-a-new-database
Restore to a **moment**.

= snapshot: Restore the snapshot
It makes a new instance.
"""

ANCHORS = {"restore-paths": {"restoring-creates-a-new-database", "into-aurora-mysql"}}


def problems_of(text: str, anchors=ANCHORS) -> list[str]:
    _, spec = parse_definition(text)
    return [str(problem) for problem in validate(spec, lesson_anchors=anchors)]


def test_parses_questions_choices_whys_outcomes_and_links():
    header, spec = parse_definition(GOOD)
    assert header == {"start": "source"}
    assert list(spec.nodes) == ["source", "window", "pitr", "snapshot"]
    source = spec.nodes["source"]
    assert source.text == "What are you restoring from?"
    assert [(c.label, c.target, c.why) for c in source.choices] == [
        ("An automated backup", "window", "Backups keep logs."),
        ("A manual snapshot", "snapshot", ""),
    ]
    pitr = spec.nodes["pitr"]
    assert pitr.is_outcome and pitr.explanation == "Restore to a **moment**."
    assert [(link.lesson, link.anchor, link.line) for link in pitr.links] == [
        ("restore-paths", "restoring-creates-a-new-database", 13)
    ]
    assert validate(spec, lesson_anchors=ANCHORS) == []


def test_a_spec_round_trips_through_its_stored_form():
    _, spec = parse_definition(GOOD.replace("start: source\n", "start: window\n"))
    spec.nodes["pitr"].explanation_html = "<p>Restore to a <strong>moment</strong>.</p>"
    stored = json.loads(json.dumps(spec.to_dict()))  # as a JSONField gives it back
    back = TreeSpec.from_dict(stored)
    assert back.start_key == "window"
    assert list(back.nodes) == list(spec.nodes)
    for key, node in spec.nodes.items():
        read = back.nodes[key]
        assert (read.kind, read.text, read.explanation, read.explanation_html) == (
            node.kind,
            node.text,
            node.explanation,
            node.explanation_html,
        )
        assert [(c.label, c.target, c.why) for c in read.choices] == [
            (c.label, c.target, c.why) for c in node.choices
        ]
        assert read.links == []  # links are stored as rows (trees.models.OutcomeLink)
    assert back.to_dict() == stored


def test_a_stored_spec_of_another_shape_is_refused():
    stored = TreeSpec(nodes={}).to_dict()
    with pytest.raises(ValueError, match="version 0"):
        TreeSpec.from_dict({**stored, "version": 0})


def test_start_defaults_to_the_first_node():
    _, spec = parse_definition(GOOD.replace("start: source\n", ""))
    assert spec.start_key == "source"


def test_all_paths_lists_every_walk_to_an_outcome():
    _, spec = parse_definition(GOOD)
    assert all_paths(spec) == [((1, 1), "pitr"), ((1, 2), "snapshot"), ((2,), "snapshot")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "no start node: the tree has no nodes"),
        (
            GOOD.replace("start: source", "start: nowhere"),
            "the start node 'nowhere' does not exist",
        ),
        (
            GOOD.replace("- A manual snapshot -> snapshot", "- A manual snapshot ->"),
            "question 'source', choice 2 ('A manual snapshot') has no target",
        ),
        (
            GOOD.replace("-> snapshot\n\n? window", "-> other-tree:pitr\n\n? window"),
            "choice 2 targets 'other-tree:pitr' in another tree",
        ),
        (
            GOOD.replace("- No -> snapshot", "- No -> missing"),
            "question 'window', choice 2 targets 'missing', which is not a node of this tree",
        ),
        (
            GOOD + "\n= orphan: Nobody gets here\n",
            "outcome 'orphan' cannot be reached from the start node 'source'",
        ),
        (
            GOOD.replace("- No -> snapshot", "- No -> source"),
            "cycle: source -> window leads back to itself",
        ),
        (
            GOOD.replace("- No -> snapshot\n", ""),
            "question 'window' has 1 choice; a question needs at least two",
        ),
        (
            GOOD.replace("It makes a new instance.", "- Try again -> source"),
            "outcome 'snapshot' has choices; an outcome ends the walk",
        ),
        (
            GOOD.replace("- Yes -> pitr", "-  -> pitr"),
            "question 'window', choice 1 has an empty label",
        ),
        (
            GOOD.replace("? window: Inside the retention period?", "? window:"),
            "has an empty prompt",
        ),
        (
            GOOD.replace("= pitr: Point-in-time restore", "= pitr:"),
            "outcome 'pitr' has an empty title",
        ),
        (
            GOOD.replace("#restoring-creates-a-new-database", "#no-such-section"),
            "outcome 'pitr' links to '#no-such-section', which is not a section of lesson "
            "'restore-paths'",
        ),
        (
            GOOD.replace("link: restore-paths#", "link: no-lesson#"),
            "links to lesson 'no-lesson', which does not exist",
        ),
        (
            GOOD.replace(
                "= pitr: Point-in-time restore", "= pitr: Point-in-time restore\n" + "> " * 21 + "x"
            ),
            "outcome 'pitr''s explanation: lists, block quotes and admonitions are nested",
        ),
    ],
    ids=[
        "no-nodes",
        "missing-start",
        "choice-without-target",
        "target-in-another-tree",
        "unknown-target",
        "unreachable",
        "cycle",
        "one-choice",
        "outcome-with-choices",
        "empty-label",
        "empty-prompt",
        "empty-title",
        "missing-anchor",
        "missing-lesson",
        "explanation-nested-too-deep",
    ],
)
def test_each_broken_tree_is_refused_with_a_message_naming_the_node(text, expected):
    assert any(expected in problem for problem in problems_of(text)), problems_of(text)


def test_problems_carry_line_numbers():
    problems = problems_of(GOOD.replace("- No -> snapshot", "- No -> missing"))
    assert problems == [
        "line 10: question 'window', choice 2 targets 'missing', which is not a node of this tree"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("? Bad Key: prompt\n- a -> b\n", "node key 'Bad Key' must be lowercase"),
        (
            "? a: one\n- x -> b\n- y -> b\n? a: two\n",
            "node key 'a' is used twice (first on line 1)",
        ),
        ("just prose\n", "line 1: expected a node"),
        ("colour: blue\n? a: q\n", "unknown setting 'colour:'"),
        ("? a: q\nstray text\n", "question 'a': expected a choice"),
        ("? a: q\n  why: too early\n", "'why:' comes before any choice"),
        (
            "= a: t\nlink: no-anchor-here\n",
            "link 'no-anchor-here' must look like lesson-slug#anchor",
        ),
    ],
)
def test_syntax_errors_name_the_line(text, expected):
    with pytest.raises(DefinitionError) as raised:
        parse_definition(text)
    assert expected in str(raised.value)


def test_a_tree_exactly_as_deep_as_the_limit_is_accepted():
    assert problems_of(deep_tree_definition(MAX_DEPTH)) == []


def test_a_tree_one_question_deeper_than_the_limit_is_refused_at_the_first_question_too_many():
    # Question q30 (the 31st) opens on line 4 * 30 + 1.
    assert problems_of(deep_tree_definition(MAX_DEPTH + 1)) == [
        f"line 121: question 'q30' is question 31 on the path q0 -> ... -> q30, which asks "
        f"31 questions; a walk may ask at most {MAX_DEPTH}: split the tree or shorten the path"
    ]
    assert MAX_DEPTH == 30


def test_the_deepest_path_is_the_one_asking_most_questions_through_shared_nodes():
    _, spec = parse_definition(
        "? a: q\n- x -> end\n- y -> b\n"
        "? b: q\n- x -> c\n- y -> d\n"
        "? c: q\n- x -> d\n- y -> end\n"
        "? d: q\n- x -> end\n- y -> end\n"
        "= end: done\n"
    )
    assert deepest_path(spec, "a") == ["a", "b", "c", "d", "end"]


def test_depth_is_measured_without_recursion_however_deep_the_tree():
    _, spec = parse_definition(deep_tree_definition(5000))
    assert len(deepest_path(spec, "q0")) == 5001


def test_find_cycle_returns_the_loop_in_order():
    _, spec = parse_definition("? a: q\n- x -> b\n- y -> c\n? b: q\n- x -> c\n- y -> a\n= c: end\n")
    assert find_cycle(spec, "a") == ["a", "b"]


def test_a_note_block_has_slug_title_and_intro():
    block = parse_tree_block(
        "slug: which-restore-path\ntitle: Which restore path?\nintro: Pick one.\n\n" + GOOD,
        first_line=10,
    )
    assert (block.slug, block.title, block.intro, block.line) == (
        "which-restore-path",
        "Which restore path?",
        "Pick one.",
        10,
    )
    assert block.definition.startswith("start: source")
    assert "title:" not in block.definition.split("?")[0]
    assert block.spec.nodes["source"].line == 16


def test_a_note_block_needs_a_title():
    with pytest.raises(DefinitionError, match="needs a 'title:' line"):
        parse_tree_block(GOOD, first_line=1)


def test_explanation_lines_that_look_like_block_settings_are_kept():
    block = parse_tree_block(
        "title: T\n? a: q\n- x -> b\n- y -> b\n= b: end\ntitle: kept\n", first_line=1
    )
    assert "title: kept" in block.definition
    assert block.spec.nodes["b"].explanation == "title: kept"


def test_a_tree_with_more_nodes_than_the_cap_is_refused_at_the_first_node_beyond_it():
    from trees.definition import MAX_NODES

    # One question with a choice per outcome: wide, not deep.
    outcomes = range(MAX_NODES)
    text = "? q: Which?\n" + "".join(f"- {n} -> o{n}\n" for n in outcomes)
    text += "".join(f"\n= o{n}: Outcome {n}\n" for n in outcomes)
    problems = problems_of(text)
    assert len(problems) == 1
    assert problems[0].endswith(
        f"the tree has {MAX_NODES + 1} nodes; a tree may have at most {MAX_NODES}: "
        "split it into several trees"
    )
    at_cap = "? q: Which?\n" + "".join(f"- {n} -> o{n}\n" for n in range(MAX_NODES - 1))
    at_cap += "".join(f"\n= o{n}: Outcome {n}\n" for n in range(MAX_NODES - 1))
    assert problems_of(at_cap) == []
