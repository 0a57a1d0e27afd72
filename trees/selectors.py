"""Reads for trees: each loads any number of trees, whatever their size, in four queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from trees.models import Choice, Node, OutcomeLink, Tree, TreeWalk


def trees_with_nodes() -> QuerySet[Tree]:
    """Trees with their nodes, choices (with targets) and outcome links prefetched."""
    # Only the columns a walk needs from the joined rows: a lesson's body and a target node's
    # explanation are large and not used here.
    choices = Choice.objects.select_related("target").only(
        "id", "node_id", "label", "why", "position", "target__id", "target__key"
    )
    links = OutcomeLink.objects.select_related("lesson").only(
        "id", "node_id", "anchor", "label", "position", "lesson__id", "lesson__slug"
    )
    nodes = Node.objects.order_by("position").prefetch_related(
        Prefetch("choices", queryset=choices.order_by("position")),
        Prefetch("links", queryset=links.order_by("position")),
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
