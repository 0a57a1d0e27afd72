"""Writes to trees: saving a definition, and recording learners' walks."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lessons.models import Lesson, readable_topics
from portal.commits import losable
from portal.markdown import render_markdown
from portal.problems import ProblemList
from portal.rows import ID_PLACEHOLDER, CompiledQuery, CompiledUpdate, moment_stand_in
from trees.definition import DefinitionError, Problem, TreeSpec, parse_definition, validate
from trees.models import AnswerTakenBack, OutcomeLink, Tree, TreeWalk
from trees.walk import TrailStep, Walk, format_path, walk

TREE_FIELDS = ("title", "intro", "definition")
SESSION_WALKS = "tree_walks"
SESSION_WALKER = "tree_walker"


class TreeInvalid(ProblemList):
    """The definition does not parse, or the tree it describes is broken. Nothing was saved."""


def tree_check(definition: str) -> tuple[TreeSpec | None, list[Problem]]:
    """Parse and validate a definition against the lessons as they stand; save nothing."""
    try:
        _, spec = parse_definition(definition)
    except DefinitionError as error:
        return None, error.problems
    return spec, validate(spec, lesson_anchors=_anchors(_linked_lessons(spec)))


def tree_compile(
    spec: TreeSpec, *, pending_anchors: dict[str, set[str]]
) -> tuple[dict | None, list[Problem]]:
    """Validate a parsed tree against the lessons as they stand, or as `pending_anchors` (lesson
    slug -> its sections) says they are about to be, and render what `tree_save` stores; save
    nothing. Lets an import do this work before it takes the write lock."""
    anchors = {**_anchors(_linked_lessons(spec)), **pending_anchors}
    problems = validate(spec, lesson_anchors=anchors)
    return (None if problems else _compiled(spec)), problems


@transaction.atomic
def tree_save(
    *,
    slug: str,
    title: str,
    intro: str,
    definition: str,
    spec: TreeSpec | None = None,
    tree: Tree | None = None,
    imported_from: str | None = None,
    compiled: dict | None = None,
) -> tuple[str, tuple[str, ...]]:
    """Validate, then create or update the tree, compile its spec and rebuild its outcomes'
    links; all or nothing.

    `tree` is the instance being edited (the admin passes it); otherwise the tree is found by
    slug. Returns the action ("create", "update", "unchanged") and the fields that changed.
    Raises TreeInvalid, naming every problem, before anything is written. `compiled` is what
    `tree_compile` made of `spec`, so that it is not rendered again.
    """
    if spec is None:
        try:
            _, spec = parse_definition(definition)
        except DefinitionError as error:
            raise TreeInvalid(error.problems) from None
    lessons = _linked_lessons(spec)
    problems = validate(spec, lesson_anchors=_anchors(lessons))
    if problems:
        raise TreeInvalid(problems)

    if tree is None:
        tree = Tree.objects.select_for_update().filter(slug=slug).first() or Tree(slug=slug)
    values = {"title": title, "intro": intro, "definition": definition}
    action, changed = _change(
        Tree.objects.filter(pk=tree.pk) if tree.pk else Tree.objects.none(),
        {"slug": slug, **values},
        imported_from,
    )
    if action == "unchanged":
        return action, ()

    tree.slug = slug
    for key, value in values.items():
        setattr(tree, key, value)
    if imported_from is not None:
        tree.imported_from = imported_from
    tree.compiled = compiled if compiled is not None else _compiled(spec)
    tree.save()
    _rebuild_links(tree, spec, lessons)
    return action, changed


def tree_change(
    *, slug: str, title: str, intro: str, definition: str, imported_from: str | None = None
) -> tuple[str, tuple[str, ...]]:
    """What `tree_save` would do to the tree with this slug, read without locking or writing."""
    wanted = {"slug": slug, "title": title, "intro": intro, "definition": definition}
    return _change(Tree.objects.filter(slug=slug), wanted, imported_from)


def _change(
    stored_row: QuerySet[Tree], wanted: dict[str, str], imported_from: str | None
) -> tuple[str, tuple[str, ...]]:
    # Compared with the stored row: the admin hands over an instance it has already edited.
    stored = stored_row.values("slug", "imported_from", *TREE_FIELDS).first()
    if stored is None:
        return "create", ()
    if imported_from is not None:
        # A note taking over another note's tree changes the tree, even if not its text.
        wanted = {**wanted, "imported_from": imported_from}
    changed = tuple(key for key in wanted if stored[key] != wanted[key])
    return ("update" if changed else "unchanged"), changed


def _linked_lessons(spec: TreeSpec) -> dict[str, Lesson]:
    slugs = {link.lesson for node in spec.nodes.values() for link in node.links}
    if not slugs:
        return {}
    return {
        lesson.slug: lesson
        # A learner's private lesson is no link target: it is theirs alone to read.
        for lesson in Lesson.objects.filter(readable_topics(None, "topic__"), slug__in=slugs).only(
            "id", "slug", "toc"
        )
    }


def _anchors(lessons: dict[str, Lesson]) -> dict[str, set[str]]:
    return {slug: set(lesson.sections()) for slug, lesson in lessons.items()}


def _compiled(spec: TreeSpec) -> dict:
    """The spec to store, its outcomes' Markdown rendered here once rather than on each view."""
    for node in spec.nodes.values():
        node.explanation_html = render_markdown(node.explanation).html if node.explanation else ""
    return spec.to_dict()


def _rebuild_links(tree: Tree, spec: TreeSpec, lessons: dict[str, Lesson]) -> None:
    OutcomeLink.objects.filter(tree=tree).delete()
    OutcomeLink.objects.bulk_create(
        OutcomeLink(
            tree=tree,
            node_key=node.key,
            lesson=lessons[link.lesson],
            anchor=link.anchor,
            label=lessons[link.lesson].sections()[link.anchor],
            position=position,
        )
        for node in spec.nodes.values()
        for position, link in enumerate(node.links)
    )


def answer_taken_back(spec: TreeSpec, previous: str, now: Walk) -> TrailStep | None:
    """The answer a learner went back on, moving from the path `previous` to `now`: the first
    answer of the previous walk that the new one no longer holds (later answers only followed
    from it). None when the learner went forward."""
    before = walk(spec, previous)
    for index, step in enumerate(before.trail):
        if index >= len(now.path) or now.path[index] != step.number:
            return step
    return None


def _signed_in(user) -> bool:
    # Asked only where needed: a step that goes on with its walk need not load the user.
    return user is not None and user.is_authenticated


# A step's read and update of its walk, their SQL compiled once (portal.rows): built through
# the ORM on every step, they were half a learner's step (bench/history.md, issue 20).
_WALK_PATH = CompiledQuery(
    lambda walk_id, tree_id: TreeWalk.objects.filter(pk=walk_id, tree_id=tree_id).values_list(
        "path"
    ),
    walk_id=ID_PLACEHOLDER,
    tree_id=ID_PLACEHOLDER + 1,
)
_WALK_MOVED = CompiledUpdate(
    lambda walk_id, last_node_key, path, finished, steps, updated_at: (
        TreeWalk.objects.filter(pk=walk_id),
        {
            "last_node_key": last_node_key,
            "path": path,
            "finished": finished,
            "steps": steps,
            "updated_at": updated_at,
        },
    ),
    walk_id=ID_PLACEHOLDER,
    last_node_key="compiled-node-placeholder",
    path="compiled-path-placeholder",
    finished=True,
    steps=ID_PLACEHOLDER + 1,
    updated_at=moment_stand_in(1),
)


def walk_record(*, session, user, tree: Tree, walk: Walk) -> None:
    """Note where this learner's walk through the tree now stands.

    One walk per tree per session: it begins with the first answer and follows the learner
    back and forth; returning to the start ends it, so the next answer begins a new walk.
    """
    walks = dict(session.get(SESSION_WALKS, {}))
    walk_id = walks.get(tree.slug)
    if not walk.path:
        if walk_id is not None:
            del walks[tree.slug]
            session[SESSION_WALKS] = walks
        return
    values = {
        "last_node_key": walk.node.key,
        "path": format_path(walk.path),
        "finished": walk.node.is_outcome,
        "steps": len(walk.path),
    }
    found = _WALK_PATH.rows(walk_id=walk_id, tree_id=tree.pk) if walk_id is not None else []
    # A figure for the instructors: a crash may lose a step or two of it (portal.commits).
    with losable():
        if found:
            _walk_moved(tree, walk, walk_id, previous_path=found[0][0], user=user, values=values)
            return
        signed_in = _signed_in(user)
        created = TreeWalk.objects.create(
            tree=tree,
            walker=f"user:{user.pk}" if signed_in else _visitor(session),
            user=user if signed_in else None,
            **values,
        )
    walks[tree.slug] = created.pk
    session[SESSION_WALKS] = walks


def _walk_moved(tree: Tree, walk: Walk, walk_id: int, *, previous_path: str, user, values) -> None:
    taken_back = answer_taken_back(tree.to_spec(), previous_path, walk)
    if taken_back is not None:
        AnswerTakenBack.objects.create(
            tree=tree,
            node_key=taken_back.question.key,
            choice_label=taken_back.choice.label,
            signed_in=_signed_in(user),
        )
    _WALK_MOVED.run(walk_id=walk_id, updated_at=timezone.now(), **values)


def _visitor(session) -> str:
    """The walker a visitor's walks are counted under: a random token kept in their session,
    which tells their walks apart from other visitors' and says nothing of the session itself.
    Made here rather than from the session's key, so that a first answer need not save a new
    session before the response does (bench/history.md, issue 20)."""
    walker = session.get(SESSION_WALKER)
    if walker is None:
        walker = session[SESSION_WALKER] = f"session:{secrets.token_hex(20)}"
    return walker
