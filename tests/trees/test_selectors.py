"""Reading trees: the compiled spec in one query, an outcome's links with current slugs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lessons.models import Lesson
from tests.conftest import SIMPLE_TREE, make_lesson, make_tree
from trees.definition import parse_definition
from trees.models import Tree
from trees.selectors import outcome_links, trees_by_slug, trees_for_reader
from trees.services import tree_save

pytestmark = pytest.mark.django_db

LINKED = SIMPLE_TREE.replace(
    "= right: You went right",
    "= right: You went right\nlink: backups#manual-snapshots\nlink: backups#automated-backups",
)


def spec_of(slug: str):
    return trees_by_slug([slug])[slug].to_spec()


def test_the_spec_read_back_is_the_spec_that_was_saved():
    make_lesson(slug="backups", body="## Manual snapshots\n\nKept.\n\n## Automated backups\n")
    make_tree(slug="ways", definition=LINKED)
    stored = spec_of("ways")
    _, written = parse_definition(LINKED)
    assert stored.start_key == "first"
    assert list(stored.nodes) == list(written.nodes)
    for key, node in written.nodes.items():
        assert (stored.nodes[key].kind, stored.nodes[key].text) == (node.kind, node.text)
        assert [(c.label, c.target, c.why) for c in stored.nodes[key].choices] == [
            (c.label, c.target, c.why) for c in node.choices
        ]
    assert stored.nodes["left"].explanation_html == "<p>Left is <strong>fine</strong>.</p>"


def test_any_number_of_trees_with_their_specs_take_one_query():
    for slug in ("one", "two", "three"):
        make_tree(slug=slug)
    with CaptureQueriesContext(connection) as captured:
        trees = trees_by_slug(["one", "two", "three", "missing"])
        specs = {slug: tree.to_spec() for slug, tree in trees.items()}
    # The content version, then the trees; kept, a second read is only the version.
    assert len(captured) == 2 and "pagecache_contentversion" in captured[0]["sql"]
    with CaptureQueriesContext(connection) as again:
        assert trees_by_slug(["missing", "three", "two", "one"]).keys() == trees.keys()
    assert len(again) == 1
    assert sorted(specs) == ["one", "three", "two"]
    assert all(spec.start_key == "first" for spec in specs.values())


def test_a_tree_never_compiled_is_not_read():
    Tree.objects.create(slug="bare", title="Bare", definition=SIMPLE_TREE)
    assert trees_by_slug(["bare"]) == {}


def test_saving_the_tree_is_seen_at_the_next_read():
    tree = make_tree(slug="ways")
    assert spec_of("ways").nodes["left"].text == "You went left"
    edited = SIMPLE_TREE.replace("You went left", "Left it is")
    tree_save(slug="ways", title=tree.title, intro=tree.intro, tree=tree, definition=edited)
    assert spec_of("ways").nodes["left"].text == "Left it is"


def test_an_outcomes_links_come_in_order_with_their_labels():
    make_lesson(slug="backups", body="## Manual snapshots\n\nKept.\n\n## Automated backups\n")
    tree = make_tree(slug="ways", definition=LINKED)
    links = outcome_links(tree, "right")
    assert [(link.lesson_slug, link.anchor, link.label) for link in links] == [
        ("backups", "manual-snapshots", "Manual snapshots"),
        ("backups", "automated-backups", "Automated backups"),
    ]
    assert outcome_links(tree, "left") == []


def test_a_renamed_lesson_is_linked_by_its_new_slug_at_once():
    lesson = make_lesson(
        slug="backups", body="## Manual snapshots\n\nKept.\n\n## Automated backups\n"
    )
    tree = make_tree(slug="ways", definition=LINKED)
    before = Tree.objects.filter(pk=tree.pk).values_list("updated_at", flat=True).get()
    lesson.slug = "backups-and-snapshots"
    lesson.save()
    with CaptureQueriesContext(connection) as captured:
        links = outcome_links(tree, "right")
    assert len(captured) == 1
    assert [link.lesson_slug for link in links] == ["backups-and-snapshots"] * 2
    # Nothing about the tree was stored again: the slug is read with the link.
    assert Tree.objects.filter(pk=tree.pk).values_list("updated_at", flat=True).get() == before


# Drafts ---------------------------------------------------------------------------------------


@pytest.fixture
def draft_tree(instructor, learner):
    """A tree placed only in a draft lesson, beside a public one."""
    # Titles given: the default "Tree <counter>" sorts "Tree 10" before "Tree 9", and the list
    # below is by title.
    make_tree(slug="hidden", title="Hidden ways")
    make_tree(slug="ways", title="Ways")
    make_lesson(status=Lesson.Status.DRAFT, body="[[tree:hidden]]\n")
    return {"learner": learner, "instructor": instructor}


def test_a_draft_tree_is_read_only_for_those_who_may_preview_drafts(draft_tree):
    for reader in (None, draft_tree["learner"]):
        assert set(trees_by_slug(["hidden", "ways"], reader)) == {"ways"}
        assert [tree.slug for tree in trees_for_reader(reader)] == ["ways"]
    shown = trees_by_slug(["hidden", "ways"], draft_tree["instructor"])
    assert {slug: tree.is_draft for slug, tree in shown.items()} == {"hidden": True, "ways": False}
    assert [tree.slug for tree in trees_for_reader(draft_tree["instructor"])] == ["hidden", "ways"]


def test_a_learner_reading_public_trees_costs_no_permission_lookup(draft_tree):
    learner = draft_tree["learner"]
    with CaptureQueriesContext(connection) as captured:
        trees_by_slug(["ways"], learner)
    assert len(captured) == 2  # the content version and the trees: no permission lookup


def test_links_to_a_draft_lesson_are_left_out_for_learners(instructor, learner):
    make_lesson(slug="backups", body="## Manual snapshots\n\nKept.\n\n## Automated backups\n")
    make_lesson(slug="secret", status=Lesson.Status.DRAFT, body="## Manual snapshots\n")
    linked = LINKED.replace("link: backups#manual-snapshots", "link: secret#manual-snapshots")
    tree = make_tree(slug="ways", definition=linked)
    for reader in (None, learner):
        assert [link.lesson_slug for link in outcome_links(tree, "right", reader)] == ["backups"]
    assert [link.lesson_slug for link in outcome_links(tree, "right", instructor)] == [
        "secret",
        "backups",
    ]
