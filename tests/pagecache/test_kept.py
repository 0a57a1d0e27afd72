"""Reads kept under the content version (pagecache/kept.py), and the trees' reads that use them."""

from __future__ import annotations

import pytest
from django.test import Client

from lessons.models import Lesson
from pagecache import kept
from pagecache.kept import kept_for_content
from tests.conftest import make_lesson, make_tree, make_user
from trees.models import Tree
from trees.selectors import trees_by_slug, trees_for_reader

pytestmark = pytest.mark.django_db


def test_a_kept_read_runs_once_while_the_version_stands_and_again_after_any_content_write():
    tree = make_tree()
    calls = []

    def read():
        calls.append(1)
        return len(calls)

    assert kept_for_content("counted", read) == kept_for_content("counted", read) == 1
    Tree.objects.filter(pk=tree.pk).update(title="Renamed")  # no signal: the trigger sees it
    assert kept_for_content("counted", read) == 2


def test_trees_read_afresh_after_an_update_a_bulk_write_and_a_delete():
    tree = make_tree(slug="restore", title="Before")
    assert trees_by_slug(["restore"])["restore"].title == "Before"
    Tree.objects.filter(pk=tree.pk).update(title="After")
    assert trees_by_slug(["restore"])["restore"].title == "After"
    assert [listed.title for listed in trees_for_reader(None)] == ["After"]
    Tree.objects.filter(pk=tree.pk).delete()
    assert trees_by_slug(["restore"]) == {} and trees_for_reader(None) == []


def test_who_may_see_a_draft_tree_is_decided_per_reader_over_the_same_kept_rows():
    make_tree(slug="drafted")
    host = make_lesson(status=Lesson.Status.DRAFT)
    Lesson.objects.filter(pk=host.pk).update(body_html='<div data-embed="tree:drafted"></div>')
    learner = make_user(username="reader")
    previewer = make_user(username="previewer", is_staff=True, is_superuser=True)
    assert trees_by_slug(["drafted"], previewer)["drafted"].is_draft
    assert trees_by_slug(["drafted"], learner) == {} and trees_by_slug(["drafted"]) == {}
    Lesson.objects.filter(pk=host.pk).update(status=Lesson.Status.PUBLISHED)
    assert not trees_by_slug(["drafted"], learner)["drafted"].is_draft


def test_one_request_reads_the_version_once_and_a_tree_step_then_reads_no_tree(
    django_assert_num_queries,
):
    make_tree(slug="steps")
    client = Client()
    client.force_login(make_user(username="walker"))
    path = "/trees/steps/?tree-steps=1"
    client.get(path)  # keeps the tree
    with django_assert_num_queries(5) as queries:  # session, user, version, walk read and write
        assert client.get(path, HTTP_HX_REQUEST="true").status_code == 200
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert sql.count("pagecache_contentversion") == 1 and '"trees_tree"' not in sql


def test_what_is_kept_is_bounded(monkeypatch):
    monkeypatch.setattr(kept, "KEPT", 3)
    for number in range(5):
        kept_for_content(("bounded", number), lambda number=number: number)
    assert (
        len(kept._kept) == 3 and ("bounded", 4) in kept._kept and ("bounded", 0) not in kept._kept
    )
