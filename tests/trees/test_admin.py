"""Authoring trees in the admin: refused when broken, a live preview, and walk figures."""

from __future__ import annotations

import pytest

from tests.conftest import SIMPLE_TREE, deep_tree_definition, make_tree, preview_document
from trees.definition import MAX_DEPTH, parse_definition
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
    document = preview_document(good.content.decode())
    assert "Are you sure?" in document and "tree-map" in document
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
    htmx = {"HTTP_HX_REQUEST": "true"}  # a visitor's steps through the widget
    for path in ("2.1", "1"):  # two visitors: one reaches "right", one reaches "left"
        client.cookies.clear()
        client.get(f"/trees/ways/?tree-ways={path}", **htmx)
    client.cookies.clear()
    client.get("/trees/ways/?tree-ways=2", **htmx)  # a third stops at the second question
    client.force_login(instructor)
    page = client.get(f"/admin/trees/tree/{tree.pk}/change/").content.decode()
    assert "3 learners began 3 walks; 2 reached an outcome." in page
    assert page.count("1 reached") == 2
    assert "1 left here" in page


def test_a_tree_at_the_depth_limit_renders_on_its_change_page_and_in_the_preview(
    instructor_client,
):
    deepest = deep_tree_definition(MAX_DEPTH)
    tree = make_tree(slug="deep", definition=deepest)
    page = instructor_client.get(f"/admin/trees/tree/{tree.pk}/change/")
    assert page.status_code == 200
    assert f"Question {MAX_DEPTH - 1}?" in page.content.decode()
    preview = instructor_client.post("/admin/trees/tree/preview/", {"definition": deepest})
    assert preview.status_code == 200
    document = preview_document(preview.content.decode())
    assert f"Question {MAX_DEPTH - 1}?" in document and "The bottom" in document
    # Every list the outline opens is closed.
    outline = document.split('<div class="tree-map">')[1]
    assert outline.count("<ul") == outline.count("</ul>") == MAX_DEPTH + 1


def test_a_tree_over_the_depth_limit_is_refused_with_the_message(instructor_client):
    too_deep = deep_tree_definition(MAX_DEPTH + 1)
    message = f"a walk may ask at most {MAX_DEPTH}: split the tree or shorten the path"
    preview = instructor_client.post("/admin/trees/tree/preview/", {"definition": too_deep})
    assert preview.status_code == 200
    assert "line 121: question &#x27;q30&#x27; is question 31" in preview.content.decode()
    assert message in preview.content.decode()
    response = instructor_client.post("/admin/trees/tree/add/", form_data(definition=too_deep))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Tree.objects.exists()


def test_a_tree_stored_deeper_than_the_limit_still_opens_for_editing(instructor_client):
    """A tree saved before the limit existed: the instructor must be able to fix it."""
    tree = make_tree(slug="deep")
    spec = parse_definition(deep_tree_definition(100))[1]
    Tree.objects.filter(pk=tree.pk).update(compiled=spec.to_dict())
    page = instructor_client.get(f"/admin/trees/tree/{tree.pk}/change/")
    assert page.status_code == 200 and "Question 99?" in page.content.decode()
