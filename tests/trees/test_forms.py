"""The tree admin form: a broken tree refused with an error per problem, and a live preview."""

from __future__ import annotations

import pytest

from tests.conftest import SIMPLE_TREE
from trees.forms import TreeAdminForm
from trees.services import tree_check

pytestmark = pytest.mark.django_db


def form(definition: str, **kwargs) -> TreeAdminForm:
    data = {"title": "Ways", "slug": "ways", "intro": "", "definition": definition}
    return TreeAdminForm(data, **kwargs)


def test_a_sound_tree_is_accepted_as_written():
    accepted = form(SIMPLE_TREE)
    assert accepted.is_valid(), accepted.errors
    assert accepted.cleaned_data["definition"] == SIMPLE_TREE.strip()


def test_a_broken_tree_gets_one_error_per_problem_naming_its_node_and_line():
    broken = SIMPLE_TREE.replace("- Right -> second", "- Right -> nowhere").replace(
        "- Yes -> right", "- Yes -> missing"
    )
    refused = form(broken)
    assert not refused.is_valid()
    errors = list(refused.errors["definition"])
    assert errors[:2] == [
        "line 4: question 'first', choice 2 targets 'nowhere', which is not a node of this tree",
        "line 7: question 'second', choice 1 targets 'missing', which is not a node of this tree",
    ]
    assert errors == [str(problem) for problem in tree_check(broken)[1]]


def test_the_definition_posts_itself_for_a_preview_only_when_asked_to():
    attrs = form(SIMPLE_TREE, preview_url="/admin/trees/tree/preview/").fields["definition"]
    attrs = attrs.widget.attrs
    assert attrs["hx-post"] == "/admin/trees/tree/preview/"
    assert attrs["hx-target"] == "#tree-preview"
    assert attrs["hx-include"] == "[name=csrfmiddlewaretoken]"
    assert attrs["class"] == "tree-definition"  # the form's own attributes are kept
    assert "hx-post" not in form(SIMPLE_TREE).fields["definition"].widget.attrs
