"""
Decision-tree definitions: the text format instructors write, parsed and checked.

Pure functions: text in, a `TreeSpec` or a list of `Problem`s out; no database. The admin's
definition field and a note's ```decision-tree block use the same format:

    start: source                       (optional; the first node otherwise)

    ? source: What are you restoring from?
    - An automated backup -> in-retention
      why: Automated backups keep transaction logs, so they can restore to a moment in time.
    - A manual snapshot -> snapshot

    = snapshot: Restore the snapshot
    link: restore-paths#restoring-creates-a-new-database
    Markdown explanation, as many lines as needed.

`? key: prompt` opens a question; each `- label -> target` line under it is a choice, and an
indented `why:` line under a choice is shown in the recap. `= key: title` opens an outcome;
`link: lesson-slug#anchor` lines point at lesson sections, and every other line is its
Markdown explanation. Keys are lowercase slugs, unique within the tree. In a note, the block
also starts with `slug:`, `title:` and `intro:` lines.

A checked spec is stored on its tree as `TreeSpec.to_dict()` (see `trees.services.tree_save`)
and read back with `TreeSpec.from_dict`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.text import slugify

from portal.markdown import nesting_problem
from portal.problems import Problem, ProblemList

QUESTION = "question"
OUTCOME = "outcome"

_KEY = r"[a-z0-9][a-z0-9_-]*"
_NODE = re.compile(r"^(?P<sigil>[?=])\s*(?P<key>[^:]*?)\s*:\s*(?P<text>.*?)\s*$")
_CHOICE = re.compile(r"^-\s+(?P<label>.*?)\s*->\s*(?P<target>\S*)\s*$")
_WHY = re.compile(r"^\s+why:\s*(?P<why>.*?)\s*$", re.IGNORECASE)
_LINK = re.compile(r"^link:\s*(?P<target>\S*)\s*$", re.IGNORECASE)
_HEADER = re.compile(r"^(?P<key>[a-z]+):\s*(?P<value>.*?)\s*$", re.IGNORECASE)
_KEY_RE = re.compile(rf"^{_KEY}$")
_BLOCK_ONLY_HEADER = re.compile(r"^(slug|title|intro):", re.IGNORECASE)
_LINK_RE = re.compile(r"^(?P<lesson>[-a-z0-9_]+)#(?P<anchor>[-a-z0-9_.]+)$")

# The most questions one walk may ask, start to outcome. A learner answering thirty questions in
# a row is far past any tree worth walking (the bundled ones ask at most two), and the limit
# keeps what grows with a walk small: its path in the URL and in `TreeWalk.path` (400
# characters; 30 answers of up to 3 digits take 119), the trail shown at every step, and a map
# indented once per question. It is below `trees.walk.MAX_STEPS`, so every walk can be linked.
MAX_DEPTH = 30
# Nodes in one tree: its map, admin page and preview show them all at once.
MAX_NODES = 500

# The shape of `TreeSpec.to_dict`, stored on every tree: a new shape needs a new number and a
# migration that rewrites the stored specs (trees/migrations/0005 wrote the first).
SPEC_VERSION = 1


class DefinitionError(ProblemList):
    """The text is not a tree definition, or the tree it defines is broken."""


@dataclass
class ChoiceSpec:
    label: str
    target: str
    why: str = ""
    line: int | None = None


@dataclass
class LinkSpec:
    lesson: str
    anchor: str
    line: int | None = None


@dataclass
class NodeSpec:
    key: str
    kind: str
    text: str  # a question's prompt or an outcome's title
    explanation: str = ""  # Markdown, as written
    explanation_html: str = ""  # rendered, once the tree is stored
    choices: list[ChoiceSpec] = field(default_factory=list)
    links: list[LinkSpec] = field(default_factory=list)
    line: int | None = None

    @property
    def is_outcome(self) -> bool:
        return self.kind == OUTCOME

    def describe(self) -> str:
        return f"{self.kind} '{self.key}'"


@dataclass
class TreeSpec:
    nodes: dict[str, NodeSpec]
    start: str | None = None
    start_line: int | None = None

    @property
    def start_key(self) -> str | None:
        """The named start node, or the first node when none is named."""
        if self.start:
            return self.start
        return next(iter(self.nodes), None)

    def to_dict(self) -> dict:
        """The spec as JSON data, as `tree_save` stores it on the tree: what a walk and a map
        need, in the shape `from_dict` reads back.

        Line numbers are left out (they only point at the text while it is checked), and so
        are outcomes' links: those are rows (`trees.models.OutcomeLink`), whose foreign keys
        stop a linked lesson from being deleted and give its slug as it is now.
        """
        return {
            "version": SPEC_VERSION,
            "start": self.start_key,
            "nodes": [
                {
                    "key": node.key,
                    "kind": node.kind,
                    "text": node.text,
                    "explanation": node.explanation,
                    "explanation_html": node.explanation_html,
                    "choices": [
                        {"label": choice.label, "target": choice.target, "why": choice.why}
                        for choice in node.choices
                    ],
                }
                for node in self.nodes.values()
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> TreeSpec:
        """The spec `to_dict` wrote. Raises ValueError for data of another shape."""
        if data.get("version") != SPEC_VERSION:
            raise ValueError(f"a stored tree spec of version {data.get('version')!r}")
        nodes = {}
        for node in data["nodes"]:
            choices = [ChoiceSpec(**choice) for choice in node["choices"]]
            nodes[node["key"]] = NodeSpec(
                key=node["key"],
                kind=node["kind"],
                text=node["text"],
                explanation=node["explanation"],
                explanation_html=node["explanation_html"],
                choices=choices,
            )
        return cls(nodes=nodes, start=data["start"])


@dataclass
class TreeBlock:
    """A tree as written in a note: its own slug, title and intro, and its definition."""

    slug: str
    title: str
    intro: str
    spec: TreeSpec
    definition: str  # the block without its slug/title/intro lines, as stored on the Tree
    line: int


def parse_definition(
    text: str, *, first_line: int = 1, header_keys: tuple[str, ...] = ("start",)
) -> tuple[dict[str, str], TreeSpec]:
    """Parse header lines and nodes. Raises DefinitionError listing every syntax problem."""
    header: dict[str, str] = {}
    header_lines: dict[str, int] = {}
    nodes: dict[str, NodeSpec] = {}
    problems: list[Problem] = []
    node: NodeSpec | None = None
    explanation: list[str] = []

    def close_node() -> None:
        if node is not None and node.is_outcome:
            node.explanation = "\n".join(explanation).strip()

    for offset, raw in enumerate(text.split("\n")):
        number = first_line + offset
        line = raw.rstrip()
        if node_match := _NODE.match(line):
            close_node()
            explanation = []
            kind = QUESTION if node_match["sigil"] == "?" else OUTCOME
            key = node_match["key"]
            node = NodeSpec(key=key, kind=kind, text=node_match["text"], line=number)
            if not _KEY_RE.match(key):
                message = f"node key {key!r} must be lowercase letters, digits, '-' or '_'"
                problems.append(Problem(message, number))
            elif key in nodes:
                message = f"node key {key!r} is used twice (first on line {nodes[key].line})"
                problems.append(Problem(message, number))
            else:
                nodes[key] = node
            continue
        if node is None:
            if not line.strip():
                continue
            header_match = _HEADER.match(line)
            key = header_match["key"].lower() if header_match else None
            if key in header_keys:
                if key in header:
                    problems.append(Problem(f"'{key}:' is given twice", number))
                header[key] = header_match["value"]
                header_lines[key] = number
            elif key:
                allowed = ", ".join(f"'{k}:'" for k in header_keys)
                message = f"unknown setting '{key}:' before the first node (allowed: {allowed})"
                problems.append(Problem(message, number))
            else:
                message = "expected a node: '? key: question' or '= key: outcome title'"
                problems.append(Problem(message, number))
            continue
        if choice_match := _CHOICE.match(line):
            label, target = choice_match["label"], choice_match["target"]
            node.choices.append(ChoiceSpec(label=label, target=target, line=number))
            continue
        if node.is_outcome:
            if link_match := _LINK.match(line):
                target = link_match["target"]
                parts = _LINK_RE.match(target)
                if not parts:
                    message = (
                        f"{node.describe()}: link {target!r} must look like lesson-slug#anchor"
                    )
                    problems.append(Problem(message, number))
                else:
                    node.links.append(LinkSpec(parts["lesson"], parts["anchor"], number))
            else:
                explanation.append(raw)
            continue
        # Inside a question: `why:` under a choice, blank lines, nothing else.
        if why_match := _WHY.match(raw):
            if not node.choices:
                problems.append(
                    Problem(f"{node.describe()}: 'why:' comes before any choice", number)
                )
            elif node.choices[-1].why:
                problems.append(
                    Problem(f"{node.describe()}: a choice has two 'why:' lines", number)
                )
            else:
                node.choices[-1].why = why_match["why"]
        elif line.strip():
            expected = "a choice '- answer -> target' or an indented 'why:' line"
            problems.append(Problem(f"{node.describe()}: expected {expected}", number))
    close_node()

    start, start_line = header.get("start") or None, header_lines.get("start")
    spec = TreeSpec(nodes=nodes, start=start, start_line=start_line)
    if problems:
        raise DefinitionError(problems)
    return header, spec


def parse_tree_block(text: str, *, first_line: int) -> TreeBlock:
    """A note's decision-tree block: slug, title and intro lines, then the definition."""
    header, spec = parse_definition(
        text, first_line=first_line, header_keys=("slug", "title", "intro", "start")
    )
    title = header.get("title", "").strip()
    if not title:
        raise DefinitionError([Problem("a decision-tree block needs a 'title:' line", first_line)])
    slug = header.get("slug", "").strip() or slugify(title)
    if not _KEY_RE.match(slug):
        message = f"tree slug {slug!r} must be lowercase letters, digits, '-' or '_'"
        raise DefinitionError([Problem(message, first_line)])
    intro = header.get("intro", "").strip()
    definition = _without_block_header(text)
    return TreeBlock(
        slug=slug, title=title, intro=intro, spec=spec, definition=definition, line=first_line
    )


def _without_block_header(text: str) -> str:
    """The block's text less its slug/title/intro lines (only those before the first node)."""
    kept: list[str] = []
    in_header = True
    for line in text.split("\n"):
        if in_header and _NODE.match(line):
            in_header = False
        if in_header and _BLOCK_ONLY_HEADER.match(line):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def validate(spec: TreeSpec, *, lesson_anchors: Mapping[str, set[str]]) -> list[Problem]:
    """Every way the tree is broken, each naming the node at fault.

    `lesson_anchors` maps each lesson slug that links name to its heading anchors; a lesson
    missing from it does not exist.
    """
    problems: list[Problem] = []
    start = spec.start_key
    if start is None:
        return [Problem("no start node: the tree has no nodes")]
    if start not in spec.nodes:
        return [Problem(f"no start node: the start node '{start}' does not exist", spec.start_line)]

    if len(spec.nodes) > MAX_NODES:
        beyond = list(spec.nodes.values())[MAX_NODES]
        message = (
            f"the tree has {len(spec.nodes):,} nodes; a tree may have at most {MAX_NODES}: "
            "split it into several trees"
        )
        return [Problem(message, beyond.line)]
    for node in spec.nodes.values():
        problems.extend(_node_problems(node, spec, lesson_anchors))

    reachable = _reachable(spec, start)
    for key, node in spec.nodes.items():
        if key not in reachable:
            message = f"{node.describe()} cannot be reached from the start node '{start}'"
            problems.append(Problem(message, node.line))

    cycle = find_cycle(spec, start)
    if cycle:
        first = spec.nodes[cycle[0]]
        problems.append(Problem(f"cycle: {' -> '.join(cycle)} leads back to itself", first.line))
    else:
        deepest = deepest_path(spec, start)
        questions = [key for key in deepest if not spec.nodes[key].is_outcome]
        if len(questions) > MAX_DEPTH:
            first_too_deep = spec.nodes[questions[MAX_DEPTH]]
            message = (
                f"{first_too_deep.describe()} is question {MAX_DEPTH + 1} on the path "
                f"{questions[0]} -> ... -> {questions[-1]}, which asks {len(questions)} "
                f"questions; a walk may ask at most {MAX_DEPTH}: split the tree or shorten the path"
            )
            problems.append(Problem(message, first_too_deep.line))
    return problems


def _node_problems(
    node: NodeSpec, spec: TreeSpec, lesson_anchors: Mapping[str, set[str]]
) -> list[Problem]:
    problems: list[Problem] = []
    what = node.describe()
    if not node.text.strip():
        empty = "prompt" if node.kind == QUESTION else "title"
        problems.append(Problem(f"{what} has an empty {empty}", node.line))
    if node.is_outcome:
        too_deep = nesting_problem(node.explanation)
        if too_deep is not None:
            problems.append(Problem(f"{what}'s explanation: {too_deep.message}", node.line))
        if node.choices:
            message = f"{what} has choices; an outcome ends the walk, so it cannot have any"
            problems.append(Problem(message, node.choices[0].line))
        for link in node.links:
            anchors = lesson_anchors.get(link.lesson)
            if anchors is None:
                message = f"{what} links to lesson '{link.lesson}', which does not exist"
                problems.append(Problem(message, link.line))
            elif link.anchor not in anchors:
                section = f"a section of lesson '{link.lesson}'"
                message = f"{what} links to '#{link.anchor}', which is not {section}"
                problems.append(Problem(message, link.line))
        return problems

    if len(node.choices) < 2:
        count = len(node.choices)
        choices = f"{count} choice{'s' if count != 1 else ''}"
        message = f"{what} has {choices}; a question needs at least two"
        problems.append(Problem(message, node.line))
    for number, choice in enumerate(node.choices, start=1):
        where = f"{what}, choice {number}"
        if not choice.label.strip():
            problems.append(Problem(f"{where} has an empty label", choice.line))
        if not choice.target:
            problems.append(Problem(f"{where} ('{choice.label}') has no target", choice.line))
        elif ":" in choice.target or "/" in choice.target:
            message = (
                f"{where} targets '{choice.target}' in another tree; a choice can only lead "
                "to a node of its own tree"
            )
            problems.append(Problem(message, choice.line))
        elif choice.target not in spec.nodes:
            message = f"{where} targets '{choice.target}', which is not a node of this tree"
            problems.append(Problem(message, choice.line))
    return problems


def _reachable(spec: TreeSpec, start: str) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for choice in spec.nodes[stack.pop()].choices:
            if choice.target in spec.nodes and choice.target not in seen:
                seen.add(choice.target)
                stack.append(choice.target)
    return seen


def find_cycle(spec: TreeSpec, start: str) -> list[str]:
    """The nodes of one cycle reachable from `start`, in order, or [] if there is none."""
    # Iterative depth-first search with colours; the stack holds the current path.
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    path: list[str] = []
    iterators = []

    def push(key: str) -> None:
        state[key] = 1
        path.append(key)
        iterators.append(iter(spec.nodes[key].choices))

    push(start)
    while iterators:
        choice = next(iterators[-1], None)
        if choice is None:
            state[path.pop()] = 2
            iterators.pop()
            continue
        target = choice.target
        if target not in spec.nodes:
            continue
        if state.get(target) == 1:
            return path[path.index(target) :]
        if target not in state:
            push(target)
    return []


def deepest_path(spec: TreeSpec, start: str) -> list[str]:
    """The keys of a path from `start` that asks the most questions, in order.

    The tree must have no cycle reachable from `start`. A loop, not recursion, so a tree of
    any depth is measured: each node's depth is known once every node it leads to is known.
    """
    below: dict[str, int] = {}  # questions asked from this node on, itself included
    best_next: dict[str, str | None] = {}
    stack = [start]
    while stack:
        key = stack[-1]
        if key in below:
            stack.pop()
            continue
        targets = [c.target for c in spec.nodes[key].choices if c.target in spec.nodes]
        pending = [target for target in targets if target not in below]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        deepest = max(targets, key=lambda target: below[target], default=None)
        own = 0 if spec.nodes[key].is_outcome else 1
        below[key] = own + (below[deepest] if deepest is not None else 0)
        best_next[key] = deepest
    path: list[str] = []
    key: str | None = start
    while key is not None:
        path.append(key)
        key = best_next[key]
    return path


def all_paths(spec: TreeSpec) -> list[tuple[tuple[int, ...], str]]:
    """Every walk from the start to an outcome, as (choice numbers, outcome key)."""
    found: list[tuple[tuple[int, ...], str]] = []
    start = spec.start_key
    if start is None:
        return found
    stack: list[tuple[str, tuple[int, ...]]] = [(start, ())]
    while stack:
        key, numbers = stack.pop()
        node = spec.nodes[key]
        if node.is_outcome:
            found.append((numbers, key))
            continue
        for number, choice in reversed(list(enumerate(node.choices, start=1))):
            stack.append((choice.target, (*numbers, number)))
    return sorted(found)
