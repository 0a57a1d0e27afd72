"""What a tree widget shows, with every link it needs, for one page and one walk.

Each link comes twice: `href`, the page itself with the path in its query string (it works
without JavaScript, and is what reloading or sharing shows), and `hx`, the tree's own URL that
answers htmx with just the widget. Several trees on one page each keep their own query
parameter, and following one tree's links keeps the others' parameters as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict
from django.urls import reverse

from trees import selectors
from trees.definition import ChoiceSpec, NodeSpec
from trees.models import Tree
from trees.walk import Walk, format_path, walk


def is_a_step(request: HttpRequest) -> bool:
    """Whether this request is someone stepping through the tree, to be recorded as a walk: a
    signed-in learner's request, or a visitor's answer through the widget (htmx). A visitor's
    plain GET looks just like a crawler following the answer links, and recording it would
    give every crawl a session and a walk; a browser's prefetch is never a step."""
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    if "prefetch" in purpose:
        return False
    # The header first: it costs no query, where the user may.
    return request.headers.get("HX-Request") == "true" or request.user.is_authenticated


def path_param(tree_slug: str) -> str:
    """The query parameter that holds this tree's path on any page."""
    return f"tree-{tree_slug}"


@dataclass(frozen=True)
class Link:
    href: str
    hx: str


@dataclass(frozen=True)
class ChoiceLink:
    number: int
    choice: ChoiceSpec
    link: Link


@dataclass(frozen=True)
class TrailLink:
    question: NodeSpec
    choice: ChoiceSpec
    link: Link  # back to this question


@dataclass(frozen=True)
class SectionLink:
    label: str
    url: str


@dataclass
class Widget:
    tree: Tree
    walk: Walk
    dom_id: str
    choices: list[ChoiceLink] = field(default_factory=list)
    trail: list[TrailLink] = field(default_factory=list)
    back: Link | None = None
    restart: Link | None = None
    sections: list[SectionLink] = field(default_factory=list)
    map_url: str = ""

    @property
    def node(self) -> NodeSpec:
        return self.walk.node

    @property
    def step_number(self) -> int:
        return len(self.walk.path) + 1

    @property
    def announcement(self) -> str:
        """What the live region says after a step is swapped in."""
        if self.walk.is_finished:
            return f"Outcome: {self.node.text}"
        return f"Question {self.step_number}: {self.node.text}"


class PageLinks:
    """Builds a tree's links for the page it sits on (a lesson or the tree's own page)."""

    def __init__(self, *, tree: Tree, page_path: str, query: QueryDict) -> None:
        self.tree = tree
        self.param = path_param(tree.slug)
        self.page_path = page_path
        self.others = [(key, value) for key, value in query.lists() if key != self.param]
        self.fragment_path = reverse("trees:tree", args=[tree.slug])

    def link(self, path: tuple[int, ...]) -> Link:
        mine = [(self.param, [format_path(path)])] if path else []
        query = urlencode([(k, v) for k, values in self.others + mine for v in values])
        href = f"{self.page_path}?{query}" if query else self.page_path
        hx = self.fragment_path
        if path:
            hx += "?" + urlencode({self.param: format_path(path)})
        return Link(href=f"{href}#{dom_id(self.tree.slug)}", hx=hx)


def dom_id(tree_slug: str) -> str:
    return f"tree-{tree_slug}"


def build_widget(
    *, tree: Tree, raw_path: str | None, page_path: str, query: QueryDict, user=None
) -> Widget:
    """The widget for `tree` at the step `raw_path` names, with links back to the page at
    `page_path` (whose other query parameters, `query`, the links keep). An outcome's links to
    lessons take one query; those to drafts are left out unless `user` may preview drafts."""
    spec = tree.to_spec()
    links = PageLinks(tree=tree, page_path=page_path, query=query)
    current = walk(spec, raw_path)
    widget = Widget(
        tree=tree,
        walk=current,
        dom_id=dom_id(tree.slug),
        map_url=reverse("trees:map", args=[tree.slug]),
    )
    node = current.node
    widget.choices = [
        ChoiceLink(number=number, choice=choice, link=links.link((*current.path, number)))
        for number, choice in enumerate(node.choices, start=1)
    ]
    widget.trail = [
        TrailLink(question=step.question, choice=step.choice, link=links.link(step.path_before))
        for step in current.trail
    ]
    if current.path:
        widget.back = links.link(current.back_path or ())
        widget.restart = links.link(())
    if node.is_outcome:
        for link in selectors.outcome_links(tree, node.key, user):
            lesson = reverse("lessons:lesson", args=[link.lesson_slug])
            widget.sections.append(SectionLink(label=link.label, url=f"{lesson}#{link.anchor}"))
    return widget
