"""Reads for trees: any number of trees in one query, an outcome's links in one more.

Every read a learner can reach (the list, a tree's page and steps, its map, the trees in a
lesson) goes through `trees_for_reader` or `trees_by_slug`, which leave out draft trees for
whoever may not preview drafts (see `trees.models.TreeQuerySet`); search asks
`Tree.objects.public()`. Whether a row is a draft comes with it, and the reader's permission
is only looked up when a draft is among the rows: a signed-in learner's costs two queries,
which the public pages need not pay.

The rows themselves, drafts included, are kept per process under the content version
(`pagecache.kept`): they are the same for every reader, and building their queries was most of
a tree step's cost. Who may see a draft is decided per request, after. Kept trees are shared
between requests, so nothing may set attributes on them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import BooleanField, Count, ExpressionWrapper, F

from lessons.models import can_preview_drafts, public_lessons
from pagecache.kept import kept_for_content
from trees.models import OutcomeLink, Tree, TreeWalk


def trees_for_reader(user) -> list[Tree]:
    """The trees this reader may open, by title: for the list of trees."""
    trees = kept_for_content(
        "trees:listed",
        lambda: list(
            Tree.objects.filter(compiled__isnull=False)
            .with_draft_flag()
            .only("slug", "title", "intro")
            .order_by("title")
        ),
    )
    return _readable(trees, user)


def trees_by_slug(slugs: list[str], user=None) -> dict[str, Tree]:
    """The trees named that have been compiled (the others have no page) and that this reader
    may see (no user reads as a visitor), by slug.

    Each holds its whole spec (`Tree.to_spec` needs no query) and `is_draft`.
    """
    if not slugs:
        return {}
    wanted = tuple(sorted(set(slugs)))
    trees = kept_for_content(
        ("trees:by-slug", wanted),
        lambda: list(
            Tree.objects.filter(slug__in=wanted, compiled__isnull=False)
            .with_draft_flag()
            .defer("definition")
        ),
    )
    return {tree.slug: tree for tree in _readable(trees, user)}


def _readable(rows: Iterable, user) -> list:
    """The rows, less those with `is_draft` unless this reader may preview drafts."""
    rows = list(rows)
    if any(row.is_draft for row in rows) and not can_preview_drafts(user):
        rows = [row for row in rows if not row.is_draft]
    return rows


def outcome_links(tree: Tree, node_key: str, user=None) -> list:
    """The outcome's links to lesson sections this reader may open, in order: rows of
    `lesson_slug` (the lesson's slug as it is now), `anchor` and `label` (the section's
    heading). A link to a draft lesson is left out for learners: it would name the draft."""
    rows = (
        OutcomeLink.objects.filter(tree=tree, node_key=node_key)
        .order_by("position")
        .annotate(
            lesson_slug=F("lesson__slug"),
            is_draft=ExpressionWrapper(~public_lessons("lesson__"), output_field=BooleanField()),
        )
        .values_list("lesson_slug", "anchor", "label", "is_draft", named=True)
    )
    return _readable(rows, user)


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


def trees_missing(slugs: Iterable[str]) -> list[str]:
    """Those of these tree slugs that no tree has, sorted: a lesson placing one of them shows
    nothing there until the tree exists (a warning, not an error: another import may bring it)."""
    wanted = set(slugs)
    if not wanted:
        return []
    found = set(Tree.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    return sorted(wanted - found)
