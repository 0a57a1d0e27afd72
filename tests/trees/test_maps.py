"""The whole-tree outline: reading order, nodes drawn once, and depths that nest the lists."""

from __future__ import annotations

from tests.conftest import SIMPLE_TREE, deep_tree_definition
from trees.definition import parse_definition
from trees.maps import map_outline


def outline_of(text: str, figures=None):
    _, spec = parse_definition(text)
    return map_outline(spec, figures)


def test_the_outline_lists_each_answer_under_its_question_in_order():
    items = outline_of(SIMPLE_TREE)
    assert [(item.node.key, item.via and item.via.label, item.depth) for item in items] == [
        ("first", None, 0),
        ("left", "Left", 1),
        ("second", "Right", 1),
        ("right", "Yes", 2),
        ("left", "No", 2),
    ]


def test_a_node_reached_twice_is_drawn_once_and_referred_to_after():
    items = outline_of(SIMPLE_TREE)
    assert [item.repeat for item in items] == [False, False, False, False, True]
    assert [item.has_children for item in items] == [True, False, True, False, False]


def test_each_list_opened_is_closed_by_the_last_item_beneath_it():
    items = outline_of(SIMPLE_TREE)
    # "left" under "first" closes nothing; the last item closes "second" and "first".
    assert [item.closes for item in items] == [0, 0, 0, 0, 2]
    assert sum(item.has_children for item in items) == sum(item.closes for item in items)


def test_figures_go_to_each_nodes_first_drawing():
    items = outline_of(SIMPLE_TREE, {"second": {"left": 4}, "left": {"reached": 2}})
    assert [(item.node.key, item.reached, item.left) for item in items] == [
        ("first", None, 0),
        ("left", 2, None),
        ("second", None, 4),
        ("right", 0, None),
        ("left", None, None),
    ]


def test_a_tree_of_any_depth_is_outlined_without_recursion():
    items = outline_of(deep_tree_definition(2000))
    assert max(item.depth for item in items) == 2000
    assert sum(item.has_children for item in items) == sum(item.closes for item in items)
