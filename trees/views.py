"""Decision trees for learners: the list, one tree stepped through, and its whole map."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_safe

from pagecache.pages import reading_page
from portal.htmx import HtmxHttpRequest, current_page_path
from trees import selectors
from trees.maps import map_outline
from trees.models import Tree
from trees.services import walk_record
from trees.widgets import build_widget, is_a_step, path_param

# Pages a widget may sit on; its links point back at the page it is on.
WIDGET_PAGES = {"lessons:lesson", "trees:tree"}


@require_safe
@reading_page
def tree_list(request: HttpRequest) -> HttpResponse:
    trees = selectors.trees_for_reader(request.user)
    return render(request, "trees/tree_list.html", {"trees": trees})


@require_safe
@reading_page
def tree_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The tree at the step its URL names; to htmx, just the widget (the `tree-widget` partial)."""
    tree = _tree_or_404(request, slug)
    page_path, query = _host_page(request, tree)
    widget = build_widget(
        tree=tree,
        raw_path=request.GET.get(path_param(tree.slug)),
        page_path=page_path,
        query=query,
        user=request.user,
    )
    if is_a_step(request):
        walk_record(session=request.session, user=request.user, tree=tree, walk=widget.walk)
    template = "trees/tree_detail.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#tree-widget"
    return render(request, template, {"tree": tree, "widget": widget})


@require_safe
@reading_page
def tree_map(request: HttpRequest, slug: str) -> HttpResponse:
    tree = _tree_or_404(request, slug)
    outline = map_outline(tree.to_spec())
    return render(request, "trees/tree_map.html", {"tree": tree, "outline": outline})


def _tree_or_404(request: HttpRequest, slug: str) -> Tree:
    """The tree, if this reader may see it: a draft tree is a 404 to learners."""
    tree = selectors.trees_by_slug([slug], request.user).get(slug)
    if tree is None:
        raise Http404("No such decision tree.")
    return tree


def _host_page(request: HtmxHttpRequest, tree: Tree) -> tuple[str, QueryDict]:
    """The page the widget is shown on: for htmx, the page the learner is looking at.

    htmx sends that page's URL in HX-Current-URL; only a lesson page or this tree's own page
    is accepted, so the links can never point anywhere else.
    """
    own = (tree.get_absolute_url(), request.GET)
    if not request.htmx:
        return own
    current = current_page_path(request)
    if not current:
        return own
    parts = urlsplit(current)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return own
    if match.view_name not in WIDGET_PAGES:
        return own
    return parts.path, QueryDict(parts.query)
