"""The tree's live preview in the admin: the first step as learners meet it and the whole map,
or every problem with its line; nothing saved."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from tests.conftest import SIMPLE_TREE, make_tree, make_user, preview_document
from trees.models import Tree

pytestmark = pytest.mark.django_db

URL = "/admin/trees/tree/preview/"


def test_the_preview_shows_the_first_step_and_the_map(instructor_client):
    data = {"title": "Ways", "slug": "ways", "intro": "Pick one.", "definition": SIMPLE_TREE}
    document = preview_document(instructor_client.post(URL, data).content.decode())
    step = document.split('<div class="tree-map">')[0]
    assert '<h2 class="tree__title" id="tree-ways-title">Ways</h2>' in step
    assert "Pick one." in step and "Which way?" in step
    assert 'class="tree__choice"' in step
    assert "Are you sure?" in document.split('<div class="tree-map">')[1]
    assert not Tree.objects.exists()


def test_every_problem_is_listed_with_its_line(instructor_client):
    broken = SIMPLE_TREE.replace("- Left -> left", "- Left -> nowhere").replace(
        "- Yes -> right\n", ""
    )
    answer = instructor_client.post(URL, {"definition": broken}).content.decode()
    assert "3 problems:" in answer
    assert "line 2: question &#x27;first&#x27;, choice 1 targets &#x27;nowhere&#x27;" in answer
    assert "line 6: question &#x27;second&#x27; has 1 choice" in answer
    assert "line 12: outcome &#x27;right&#x27; cannot be reached" in answer
    assert preview_document(answer) == ""


def test_the_change_page_has_the_preview_next_to_the_definition(instructor_client):
    tree = make_tree(slug="ways")
    page = instructor_client.get(f"/admin/trees/tree/{tree.pk}/change/").content.decode()
    definition, preview, figures = (
        page.index('name="definition"'),
        page.index('class="module editor-with-preview__preview"'),
        page.index("What learners did"),
    )
    assert definition < preview < figures
    assert "Which way?" in preview_document(page)


def test_only_who_may_add_or_change_trees_may_preview(client):
    staff = make_user(is_staff=True)
    client.force_login(staff)
    assert client.post(URL, {"definition": SIMPLE_TREE}).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="add_tree"))
    assert client.post(URL, {"definition": SIMPLE_TREE}).status_code == 200
