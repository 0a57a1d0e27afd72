"""The tree admin form: a broken tree refused with an error per problem."""

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
