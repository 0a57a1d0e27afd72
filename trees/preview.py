"""A decision tree as learners will walk it, from the admin form as typed (portal/preview.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.http import QueryDict
from django.urls import reverse
from django.utils.text import slugify

from portal.problems import Problem
from trees.definition import DefinitionError, parse_definition
from trees.maps import MapItem, map_outline
from trees.models import Tree
from trees.services import tree_compile
from trees.widgets import Widget, build_widget


@dataclass
class TreePreview:
    tree: Tree  # unsaved; `compiled` set when the definition compiles
    widget: Widget | None = None  # the first step, as a learner meets it
    outline: list[MapItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def context(self) -> dict | None:
        if self.tree.compiled is None:
            return None
        return {"tree": self.tree, "widget": self.widget, "outline": self.outline}


def tree_preview(*, data: Mapping[str, str], user) -> TreePreview:
    """The tree `data` describes, compiled as saving compiles it (tree_compile: the same checks
    and the same Markdown path), its first step and its whole map. Writes nothing."""
    tree = Tree(
        title=data.get("title", "").strip() or "Untitled tree",
        slug=slugify(data.get("slug", "")) or "new-tree",
        intro=data.get("intro", "").strip(),
    )
    try:
        _, spec = parse_definition(data.get("definition", ""))
    except DefinitionError as error:
        return TreePreview(tree=tree, problems=error.problems)
    compiled, problems = tree_compile(spec, pending_anchors={})
    if compiled is None:
        return TreePreview(tree=tree, problems=problems)
    tree.compiled = compiled
    spec = tree.to_spec()
    widget = None
    # An outcome's links are read from the saved tree's rows; a tree that starts at an outcome
    # has no walk to preview, and its map shows it whole.
    if not spec.nodes[spec.start_key].is_outcome:
        widget = build_widget(
            tree=tree,
            raw_path=None,
            page_path=reverse("trees:tree", args=[tree.slug]),
            query=QueryDict(),
            user=user,
        )
    return TreePreview(tree=tree, widget=widget, outline=map_outline(spec))
