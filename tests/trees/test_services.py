"""Saving trees (validated, all or nothing) and recording walks."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from portal.sessions import SessionStore
from tests.conftest import SIMPLE_TREE, make_lesson, make_tree
from trees.models import AnswerTakenBack, OutcomeLink, Tree, TreeWalk
from trees.selectors import trees_by_slug
from trees.services import TreeInvalid, tree_check, tree_save, walk_record
from trees.walk import walk

pytestmark = pytest.mark.django_db


def test_saving_compiles_the_spec_and_builds_the_links():
    lesson = make_lesson(slug="backups", body="## Manual snapshots\n\nKept.\n")
    definition = SIMPLE_TREE.replace(
        "= right: You went right", "= right: You went right\nlink: backups#manual-snapshots"
    )
    tree = make_tree(slug="ways", definition=definition)
    spec = tree.to_spec()
    assert spec.start_key == "first"
    assert [(node.key, node.kind) for node in spec.nodes.values()] == [
        ("first", "question"),
        ("second", "question"),
        ("left", "outcome"),
        ("right", "outcome"),
    ]
    assert sum(len(node.choices) for node in spec.nodes.values()) == 4
    link = OutcomeLink.objects.get()
    assert (link.tree, link.node_key, link.lesson, link.anchor, link.label) == (
        tree,
        "right",
        lesson,
        "manual-snapshots",
        "Manual snapshots",
    )
    assert spec.nodes["left"].explanation_html == "<p>Left is <strong>fine</strong>.</p>"


def test_an_invalid_tree_is_never_half_saved():
    tree = make_tree(slug="ways")
    broken = SIMPLE_TREE.replace("- No -> left", "- No -> nowhere")
    with pytest.raises(TreeInvalid, match="targets 'nowhere'"):
        tree_save(slug="ways", title="Changed", intro="", definition=broken)
    stored = Tree.objects.get(pk=tree.pk)
    assert stored.title != "Changed" and stored.definition == SIMPLE_TREE
    assert stored.compiled == tree.compiled
    with pytest.raises(TreeInvalid):
        tree_save(slug="new-one", title="New", intro="", definition=broken)
    assert not Tree.objects.filter(slug="new-one").exists()


def test_saving_again_reports_unchanged_or_the_changed_fields():
    make_tree(slug="ways", title="Ways")
    assert tree_save(slug="ways", title="Ways", intro="Pick a way.", definition=SIMPLE_TREE) == (
        "unchanged",
        (),
    )
    action, changed = tree_save(
        slug="ways", title="Ways", intro="Pick a way.", definition=SIMPLE_TREE + "\nMore."
    )
    assert (action, changed) == ("update", ("definition",))
    assert "More." in Tree.objects.get(slug="ways").to_spec().nodes["right"].explanation_html


def test_saving_an_edit_recompiles_the_spec_and_rebuilds_the_links():
    make_lesson(slug="backups", body="## Manual snapshots\n\n## Automated backups\n")
    linked = SIMPLE_TREE.replace(
        "= right: You went right", "= right: You went right\nlink: backups#manual-snapshots"
    )
    tree = make_tree(slug="ways", definition=linked)
    edited = (
        linked.replace(
            "= left: You went left", "= left: Left it is\nlink: backups#automated-backups"
        )
        .replace("- No -> left", "- No -> right")
        .replace("link: backups#manual-snapshots\n", "")
    )
    tree_save(slug="ways", title=tree.title, intro=tree.intro, definition=edited)
    spec = Tree.objects.get(pk=tree.pk).to_spec()
    assert spec.nodes["left"].text == "Left it is"
    assert spec.nodes["second"].choices[1].target == "right"
    assert list(OutcomeLink.objects.values_list("node_key", "anchor")) == [
        ("left", "automated-backups")
    ]


def test_tree_check_reports_without_saving():
    spec, problems = tree_check(
        SIMPLE_TREE.replace("- Left -> left\n  why: Left is shorter.\n", "")
    )
    assert spec is not None
    assert [str(p) for p in problems] == [
        "line 1: question 'first' has 1 choice; a question needs at least two"
    ]
    assert not Tree.objects.exists()


def test_a_lesson_linked_from_a_tree_cannot_be_deleted():
    lesson = make_lesson(slug="backups", body="## Manual snapshots\n")
    make_tree(
        definition=SIMPLE_TREE.replace(
            "= right: You went right", "= right: R\nlink: backups#manual-snapshots"
        )
    )
    with pytest.raises(ProtectedError):
        lesson.delete()


def loaded(tree: Tree) -> Tree:
    return trees_by_slug([tree.slug])[tree.slug]


def record(session, user, tree, path):
    walk_record(session=session, user=user, tree=tree, walk=walk(tree.to_spec(), path))


def test_walks_follow_the_learner_and_start_over_begins_a_new_one(learner):
    tree = loaded(make_tree())
    session = SessionStore()
    record(session, learner, tree, "")
    assert not TreeWalk.objects.exists()  # looking is not walking
    record(session, learner, tree, "2")
    record(session, learner, tree, "2.1")
    current = TreeWalk.objects.get()
    assert (current.last_node_key, current.finished, current.steps) == ("right", True, 2)
    assert current.walker == f"user:{learner.pk}" and current.user == learner
    record(session, learner, tree, "2")  # Back
    current.refresh_from_db()
    assert (current.last_node_key, current.finished) == ("second", False)
    record(session, learner, tree, "")  # Start over
    record(session, learner, tree, "1")
    assert TreeWalk.objects.count() == 2


def test_a_visitors_walks_are_counted_under_a_token_of_their_session_not_its_key():
    tree = loaded(make_tree())
    session = SessionStore()
    record(session, AnonymousUser(), tree, "1")
    # The step leaves saving the new session to the response: it wrote only the walk.
    assert session.session_key is None and session.modified
    session.save()
    record(session, AnonymousUser(), tree, "")  # Start over
    record(session, AnonymousUser(), tree, "2")
    other = SessionStore()
    record(other, AnonymousUser(), tree, "1")
    other.save()
    first, again, others = TreeWalk.objects.order_by("pk")
    assert first.walker == again.walker != others.walker
    assert first.walker.startswith("session:") and first.user is None
    assert session.session_key not in first.walker and other.session_key not in others.walker


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's setting")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_walks_writes_commit_without_waiting_for_the_disk(learner):
    tree = loaded(make_tree())
    session = SessionStore()
    for path in ("2", "2.1", "2"):  # begun, moved on, an answer taken back
        with CaptureQueriesContext(connection) as queries:
            record(session, learner, tree, path)
        statements = [query["sql"] for query in queries]
        writes = [n for n, sql in enumerate(statements) if sql.startswith(("INSERT", "UPDATE"))]
        assert writes and statements[writes[0] - 1] == "SET LOCAL synchronous_commit TO OFF"
    assert TreeWalk.objects.get().path == "2"


def test_going_back_records_the_answer_taken_back_and_going_forward_does_not(learner):
    tree = loaded(make_tree())
    session = SessionStore()
    record(session, learner, tree, "2")  # Right
    record(session, learner, tree, "2.1")  # Yes, sure
    assert not AnswerTakenBack.objects.exists()
    record(session, learner, tree, "2")  # Back: "Yes" at "Are you sure?" taken back
    record(session, learner, tree, "2.2")
    record(session, learner, tree, "")  # Start over is not taking an answer back
    record(session, learner, tree, "2")
    record(session, learner, tree, "2.1")
    record(session, learner, tree, "1")  # from the trail, straight to a different first answer
    taken = list(AnswerTakenBack.objects.order_by("pk").values_list("node_key", "choice_label"))
    assert taken == [("second", "Yes"), ("first", "Right")]
    assert TreeWalk.objects.order_by("pk").last().path == "1"
