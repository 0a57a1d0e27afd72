"""Reading trees: specs built from the stored rows, kept per process while the tree stands."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import SIMPLE_TREE, make_lesson, make_tree
from trees import selectors
from trees.definition import parse_definition
from trees.selectors import trees_by_slug
from trees.services import tree_save

pytestmark = pytest.mark.django_db

LINKED = SIMPLE_TREE.replace(
    "= right: You went right", "= right: You went right\nlink: backups#manual-snapshots"
)


@pytest.fixture(autouse=True)
def empty_cache():
    selectors._SPECS.clear()


def spec_of(slug: str):
    return trees_by_slug([slug])[slug].to_spec()


def test_the_spec_read_back_is_the_spec_that_was_saved():
    make_lesson(slug="backups", body="## Manual snapshots\n\nKept.\n")
    make_tree(slug="ways", definition=LINKED)
    stored = spec_of("ways")
    _, written = parse_definition(LINKED)
    assert stored.start_key == "first"
    assert list(stored.nodes) == list(written.nodes)
    for key, node in written.nodes.items():
        assert [(c.label, c.target, c.why) for c in stored.nodes[key].choices] == [
            (c.label, c.target, c.why) for c in node.choices
        ]
        assert [(link.lesson, link.anchor) for link in stored.nodes[key].links] == [
            (link.lesson, link.anchor) for link in node.links
        ]
    assert stored.nodes["right"].links[0].label == "Manual snapshots"
    assert stored.nodes["left"].explanation_html == "<p>Left is <strong>fine</strong>.</p>"


def test_a_tree_read_again_costs_one_query():
    make_tree(slug="ways")
    with CaptureQueriesContext(connection) as first:
        spec_of("ways")
    with CaptureQueriesContext(connection) as again:
        spec_of("ways")
    assert (len(first), len(again)) == (4, 1)


def test_saving_the_tree_is_seen_at_the_next_read():
    tree = make_tree(slug="ways")
    assert spec_of("ways").nodes["left"].text == "You went left"
    tree_save(slug="ways", title=tree.title, intro=tree.intro, tree=tree,
              definition=SIMPLE_TREE.replace("You went left", "Left it is"))  # fmt: skip
    assert spec_of("ways").nodes["left"].text == "Left it is"


def test_renaming_a_linked_lesson_is_seen_at_the_next_read():
    lesson = make_lesson(slug="backups", body="## Manual snapshots\n\nKept.\n")
    make_tree(slug="ways", definition=LINKED)
    assert spec_of("ways").nodes["right"].links[0].lesson == "backups"
    lesson.title = "Backups, retitled"
    lesson.save()  # the slug stays: the spec is still good
    assert spec_of("ways").nodes["right"].links[0].lesson == "backups"
    lesson.slug = "backups-and-snapshots"
    lesson.save()
    assert spec_of("ways").nodes["right"].links[0].lesson == "backups-and-snapshots"


def test_the_cache_stays_bounded(monkeypatch):
    monkeypatch.setattr(selectors, "_SPECS_KEPT", 3)
    for number in range(5):
        make_tree(slug=f"tree-{number}")
        spec_of(f"tree-{number}")
        assert len(selectors._SPECS) <= 3
    assert spec_of("tree-0").start_key == "first"
