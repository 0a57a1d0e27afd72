"""The whole tree at once, as an outline: every question, every answer, every outcome.

A node reached by more than one answer is drawn in full the first time and referred to after
that, so the outline stays as small as the tree.

The outline is a flat list in reading order, each item knowing its depth, rather than items
nested in items: built with a loop and drawn with one `{% for %}`, it costs no recursion in
Python or in the template, however deep the tree (an `{% include %}` of itself per level ran
out of Python's stack at about 50 levels).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from trees.definition import ChoiceSpec, NodeSpec, TreeSpec


@dataclass
class MapItem:
    node: NodeSpec
    via: ChoiceSpec | None = None  # the answer that leads here from the item above
    repeat: bool = False  # drawn in full earlier in the outline
    depth: int = 0  # answers from the start
    has_children: bool = False  # the items that follow, one level deeper, are its answers
    closes: int = 0  # how many levels above this item end with it
    reached: int | None = None  # learners whose walk ended here (outcomes)
    left: int | None = None  # learners who stopped here (questions)

    @property
    def closing(self) -> range:
        """One step per level that ends here, for the template to close its lists."""
        return range(self.closes)


def map_outline(
    spec: TreeSpec, figures: Mapping[str, Mapping[str, int]] | None = None
) -> list[MapItem]:
    """Every item of the outline in reading order: depth first, answers in their order."""
    items: list[MapItem] = []
    drawn: set[str] = set()
    stack: list[tuple[NodeSpec, ChoiceSpec | None, int]] = [(spec.nodes[spec.start_key], None, 0)]
    while stack:
        node, via, depth = stack.pop()
        entry = MapItem(node=node, via=via, repeat=node.key in drawn, depth=depth)
        items.append(entry)
        if entry.repeat:
            continue  # figures and answers were shown with the node's first drawing
        drawn.add(node.key)
        if figures is not None:
            counts = figures.get(node.key, {})
            entry.reached = counts.get("reached", 0) if node.is_outcome else None
            entry.left = None if node.is_outcome else counts.get("left", 0)
        entry.has_children = bool(node.choices)
        for choice in reversed(node.choices):
            stack.append((spec.nodes[choice.target], choice, depth + 1))
    for index, entry in enumerate(items):
        if not entry.has_children:
            following = items[index + 1].depth if index + 1 < len(items) else 0
            entry.closes = entry.depth - following
    return items
