"""Reads for trees: each loads any number of trees, whatever their size, in four queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from trees.models import Choice, Node, OutcomeLink, Tree, TreeWalk


def trees_with_nodes() -> QuerySet[Tree]:
    """Trees with their nodes, choices (with targets) and outcome links prefetched."""
    nodes = Node.objects.order_by("position").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.select_related("target").order_by("position")),
        Prefetch(
            "links", queryset=OutcomeLink.objects.select_related("lesson").order_by("position")
        ),
    )
    return Tree.objects.prefetch_related(Prefetch("nodes", queryset=nodes))


def trees_by_slug(slugs: list[str]) -> dict[str, Tree]:
    if not slugs:
        return {}
    return {tree.slug: tree for tree in trees_with_nodes().filter(slug__in=set(slugs))}


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
