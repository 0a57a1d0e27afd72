"""Reads for trees: any number of trees in one query, an outcome's links in one more."""

from __future__ import annotations

from django.db.models import Count, F

from trees.models import OutcomeLink, Tree, TreeWalk


def trees_by_slug(slugs: list[str]) -> dict[str, Tree]:
    """The trees named that have been compiled (the others have no page), by slug.

    Each holds its whole spec (`Tree.to_spec` needs no query).
    """
    if not slugs:
        return {}
    trees = Tree.objects.filter(slug__in=set(slugs), compiled__isnull=False).defer("definition")
    return {tree.slug: tree for tree in trees}


def outcome_links(tree: Tree, node_key: str) -> list:
    """The outcome's links to lesson sections, in order: rows of `lesson_slug` (the lesson's
    slug as it is now), `anchor` and `label` (the section's heading)."""
    return list(
        OutcomeLink.objects.filter(tree=tree, node_key=node_key)
        .order_by("position")
        .annotate(lesson_slug=F("lesson__slug"))
        .values_list("lesson_slug", "anchor", "label", named=True)
    )


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
