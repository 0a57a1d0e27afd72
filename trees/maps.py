"""The whole tree at once, as a nested outline: every question, every answer, every outcome.

A node reached by more than one answer is drawn in full the first time and referred to after
that, so the outline stays as small as the tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from trees.definition import ChoiceSpec, NodeSpec, TreeSpec


@dataclass
class MapItem:
    node: NodeSpec
    via: ChoiceSpec | None = None  # the answer that leads here from the item above
    repeat: bool = False  # drawn in full earlier in the outline
    children: list[MapItem] = field(default_factory=list)
    reached: int | None = None  # learners whose walk ended here (outcomes)
    left: int | None = None  # learners who stopped here (questions)


def map_outline(spec: TreeSpec, figures: Mapping[str, Mapping[str, int]] | None = None) -> MapItem:
    start = spec.nodes[spec.start_key]
    drawn: set[str] = set()

    def item(node: NodeSpec, via: ChoiceSpec | None) -> MapItem:
        entry = MapItem(node=node, via=via, repeat=node.key in drawn)
        if entry.repeat:
            return entry  # figures and children were shown with the node's first drawing
        drawn.add(node.key)
        if figures is not None:
            counts = figures.get(node.key, {})
            entry.reached = counts.get("reached", 0) if node.is_outcome else None
            entry.left = None if node.is_outcome else counts.get("left", 0)
        entry.children = [item(spec.nodes[choice.target], choice) for choice in node.choices]
        return entry

    return item(start, None)
