"""Reads for trees: any number of trees, whatever their size, in one query, or four the first
time this process sees a tree as it now stands."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from trees.definition import ChoiceSpec, LinkSpec, NodeSpec, TreeSpec
from trees.models import Choice, Node, OutcomeLink, Tree, TreeWalk


def trees_by_slug(slugs: list[str]) -> dict[str, Tree]:
    """The trees named, each with its spec loaded (`Tree.to_spec` then needs no query)."""
    if not slugs:
        return {}
    trees = list(Tree.objects.filter(slug__in=set(slugs)).defer("definition"))
    attach_specs(trees)
    return {tree.slug: tree for tree in trees}


# Specs this process has built, by (tree id, the tree's updated_at). A tree's nodes change only
# through `tree_save`, which saves the tree row and so moves updated_at, and a lesson rename
# moves it too (trees/signals.py): every worker reads the row anyway, so none can serve a
# stale spec. Bounded, as instructors may save trees many times in a process's life.
_SPECS: dict[tuple[int, dt.datetime], TreeSpec] = {}
_SPECS_KEPT = 200


def attach_specs(trees: list[Tree]) -> None:
    """Give each tree its TreeSpec: from this process's cache, or built in three queries.

    Plain rows rather than prefetched model instances: a lesson page or a tree step shows one
    step of a whole tree, and building model objects for every node, choice and link was most
    of those pages' time (docs/PERFORMANCE.md, Before and after).
    """
    missing = {}
    for tree in trees:
        tree.spec = _SPECS.get((tree.pk, tree.updated_at))
        if tree.spec is None:
            missing[tree.pk] = tree
    if missing:
        built = _build_specs(missing)
        if len(_SPECS) + len(built) > _SPECS_KEPT:
            _SPECS.clear()
        for tree_id, spec in built.items():
            tree = missing[tree_id]
            tree.spec = _SPECS[tree_id, tree.updated_at] = spec


def _build_specs(by_id: dict[int, Tree]) -> dict[int, TreeSpec]:
    nodes: dict[int, NodeSpec] = {}
    keys: dict[int, dict[str, NodeSpec]] = {tree_id: {} for tree_id in by_id}
    start_keys: dict[int, str] = {}
    rows = (
        Node.objects.filter(tree_id__in=by_id)
        .order_by("tree_id", "position")
        .values_list("id", "tree_id", "key", "kind", "text", "explanation", "explanation_html")
    )
    for node_id, tree_id, key, kind, text, explanation, explanation_html in rows:
        node = NodeSpec(
            key=key,
            kind=kind,
            text=text,
            explanation=explanation,
            explanation_html=explanation_html,
        )
        nodes[node_id] = keys[tree_id][key] = node
        if node_id == by_id[tree_id].start_id:
            start_keys[tree_id] = key
    choices = (
        Choice.objects.filter(node__tree_id__in=by_id)
        .order_by("node_id", "position")
        .values_list("node_id", "label", "target__key", "why")
    )
    for node_id, label, target, why in choices:
        nodes[node_id].choices.append(ChoiceSpec(label=label, target=target, why=why))
    links = (
        OutcomeLink.objects.filter(node__tree_id__in=by_id)
        .order_by("node_id", "position")
        .values_list("node_id", "lesson__slug", "anchor", "label")
    )
    for node_id, lesson, anchor, label in links:
        nodes[node_id].links.append(LinkSpec(lesson=lesson, anchor=anchor, label=label))
    return {
        tree_id: TreeSpec(nodes=keys[tree_id], start=start_keys.get(tree_id)) for tree_id in by_id
    }


def walk_figures(tree: Tree) -> dict[str, dict[str, int]]:
    """Per node key: learners whose walk ended there (`reached`) or stopped there (`left`).

    A walk's last node is where it stands now; learners are counted once per node.
    """
    figures: dict[str, dict[str, int]] = {}
    rows = (
        TreeWalk.objects.filter(tree=tree)
        .values("last_node_key", "finished")
        .annotate(learners=Count("walker", distinct=True))
    )
    for row in rows:
        entry = figures.setdefault(row["last_node_key"], {"reached": 0, "left": 0})
        entry["reached" if row["finished"] else "left"] += row["learners"]
    return figures


def walk_totals(tree: Tree) -> dict[str, int]:
    walks = TreeWalk.objects.filter(tree=tree)
    return {
        "learners": walks.values("walker").distinct().count(),
        "walks": walks.count(),
        "finished": walks.filter(finished=True).count(),
    }
