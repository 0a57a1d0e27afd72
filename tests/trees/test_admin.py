"""Authoring trees in the admin: refused when broken, a live preview, and walk figures."""

from __future__ import annotations

import pytest

from tests.conftest import SIMPLE_TREE, make_tree
from trees.models import Tree

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {"title": "Ways", "slug": "ways", "intro": "Pick.", "definition": SIMPLE_TREE}
    return {**data, **overrides}


def test_an_instructor_creates_a_tree_in_the_admin(instructor_client):
    response = instructor_client.post("/admin/trees/tree/add/", form_data())
    assert response.status_code == 302
    tree = Tree.objects.get(slug="ways")
    spec = tree.to_spec()
    assert spec.start_key == "first" and len(spec.nodes) == 4


def test_the_admin_refuses_a_broken_tree_and_says_exactly_what_is_wrong(instructor_client):
    broken = SIMPLE_TREE.replace("- No -> left", "- No -> nowhere")
    response = instructor_client.post("/admin/trees/tree/add/", form_data(definition=broken))
    assert response.status_code == 200
    assert (
        "line 8: question &#x27;second&#x27;, choice 2 targets &#x27;nowhere&#x27;, which is not "
        "a node of this tree" in response.content.decode()
    )
    assert not Tree.objects.exists()


def test_editing_a_tree_rebuilds_it_and_a_broken_edit_changes_nothing(instructor_client):
    tree = make_tree(slug="ways")
    url = f"/admin/trees/tree/{tree.pk}/change/"
    edited = SIMPLE_TREE.replace("= right: You went right", "= right: You chose right")
    assert instructor_client.post(url, form_data(definition=edited)).status_code == 302
    assert Tree.objects.get(pk=tree.pk).to_spec().nodes["right"].text == "You chose right"

    cyclic = edited.replace("- No -> left", "- No -> first")
    response = instructor_client.post(url, form_data(definition=cyclic))
    assert "cycle: first -&gt; second leads back to itself" in response.content.decode()
    assert Tree.objects.get(pk=tree.pk).to_spec().nodes["right"].text == "You chose right"


def test_the_live_preview_shows_the_map_or_the_problems(instructor_client):
    page = instructor_client.get("/admin/trees/tree/add/").content.decode()
    assert 'hx-post="/admin/trees/tree/preview/"' in page
    good = instructor_client.post("/admin/trees/tree/preview/", {"definition": SIMPLE_TREE})
    assert "Are you sure?" in good.content.decode() and "tree-map" in good.content.decode()
    bad = instructor_client.post(
        "/admin/trees/tree/preview/", {"definition": SIMPLE_TREE.replace("- Yes -> right\n", "")}
    )
    assert "has 1 choice" in bad.content.decode()
    assert not Tree.objects.exists()


def test_learners_cannot_reach_the_tree_admin_or_its_preview(learner_client):
    assert learner_client.get("/admin/trees/tree/").status_code == 302
    response = learner_client.post("/admin/trees/tree/preview/", {"definition": SIMPLE_TREE})
    assert response.status_code == 302


def test_the_change_page_shows_how_learners_walked(client, instructor):
    tree = make_tree(slug="ways")
    for path in ("2.1", "1"):  # two visitors: one reaches "right", one reaches "left"
        client.cookies.clear()
        client.get(f"/trees/ways/?tree-ways={path}")
    client.cookies.clear()
    client.get("/trees/ways/?tree-ways=2")  # a third stops at the second question
    client.force_login(instructor)
    page = client.get(f"/admin/trees/tree/{tree.pk}/change/").content.decode()
    assert "3 learners began 3 walks; 2 reached an outcome." in page
    assert page.count("1 reached") == 2
    assert "1 left here" in page
