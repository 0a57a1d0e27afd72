"""A tree widget for one page and one walk: its choices, trail and links, each link working
with and without htmx and keeping the page's other query parameters."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from tests.conftest import SIMPLE_TREE, make_lesson, make_tree
from trees.selectors import trees_by_slug
from trees.widgets import Link, PageLinks, build_widget, dom_id, path_param

pytestmark = pytest.mark.django_db

LINKED_TREE = SIMPLE_TREE.replace("Left is **fine**.", "Left is **fine**.\nlink: backups#part")


@pytest.fixture
def tree():
    make_lesson(slug="backups", body="## Part\n\nText.\n")
    made = make_tree(slug="ways", definition=LINKED_TREE)
    return trees_by_slug([made.slug])[made.slug]


def widget_at(tree, raw_path, query="tree-other=3&page=2"):
    return build_widget(
        tree=tree, raw_path=raw_path, page_path="/lessons/backups/", query=QueryDict(query)
    )


def test_each_tree_has_its_own_parameter_and_element_id():
    assert path_param("ways") == "tree-ways"
    assert dom_id("ways") == "tree-ways"


def test_a_link_keeps_the_pages_other_parameters_and_replaces_its_own(tree):
    links = PageLinks(
        tree=tree, page_path="/lessons/backups/", query=QueryDict("page=2&tree-ways=1&a=x&a=y")
    )
    assert links.link((2, 1)) == Link(
        href="/lessons/backups/?page=2&a=x&a=y&tree-ways=2.1#tree-ways",
        hx="/trees/ways/?tree-ways=2.1",
    )
    assert links.link(()) == Link(
        href="/lessons/backups/?page=2&a=x&a=y#tree-ways", hx="/trees/ways/"
    )


def test_at_the_start_the_choices_lead_on_and_there_is_no_way_back(tree):
    widget = widget_at(tree, None)
    assert (widget.dom_id, widget.step_number) == ("tree-ways", 1)
    assert widget.announcement == "Question 1: Which way?"
    assert [(c.number, c.choice.label) for c in widget.choices] == [(1, "Left"), (2, "Right")]
    assert widget.choices[1].link.hx == "/trees/ways/?tree-ways=2"
    assert (
        widget.choices[1].link.href == "/lessons/backups/?tree-other=3&page=2&tree-ways=2#tree-ways"
    )
    assert widget.trail == [] and widget.back is None and widget.restart is None
    assert widget.map_url == "/trees/ways/map/"


def test_after_an_answer_the_trail_leads_back_to_each_question(tree):
    widget = widget_at(tree, "2")
    assert widget.announcement == "Question 2: Are you sure?"
    (step,) = widget.trail
    assert (step.question.text, step.choice.label) == ("Which way?", "Right")
    assert step.link.hx == "/trees/ways/"
    assert widget.back == widget.restart == step.link
    assert [c.link.hx for c in widget.choices] == [
        "/trees/ways/?tree-ways=2.1",
        "/trees/ways/?tree-ways=2.2",
    ]


def test_an_outcome_is_announced_with_links_to_the_lesson_sections_it_names(tree):
    widget = widget_at(tree, "2.2", query="")
    assert widget.walk.is_finished and widget.choices == []
    assert widget.announcement == "Outcome: You went left"
    assert [(s.label, s.url) for s in widget.sections] == [("Part", "/lessons/backups/#part")]
    assert [step.link.hx for step in widget.trail] == ["/trees/ways/", "/trees/ways/?tree-ways=2"]
    assert widget.back.href == "/lessons/backups/?tree-ways=2#tree-ways"
    assert widget.restart.href == "/lessons/backups/#tree-ways"
