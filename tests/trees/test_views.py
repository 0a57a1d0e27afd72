"""Stepping through trees: full pages, htmx fragments, plain links, and trees inside lessons."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Session
from tests.conftest import SIMPLE_TREE, deep_tree_definition, make_lesson, make_tree
from trees.definition import MAX_DEPTH, parse_definition
from trees.models import Tree, TreeWalk

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def choice_hrefs(page: str) -> dict[str, str]:
    """Each answer's label -> its plain href, as a browser without JavaScript would follow."""
    found = re.findall(r'<a class="tree__choice" href="([^"]+)"[^>]*>([^<]+)</a>', page)
    return {html.unescape(label): html.unescape(href) for href, label in found}


def test_the_tree_page_is_a_full_page_and_htmx_gets_only_the_widget(client):
    tree = make_tree(slug="ways")
    page = client.get("/trees/ways/")
    fragment = client.get("/trees/ways/?tree-ways=2", **HTMX)
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.content.decode()
    assert 'id="tree-ways"' in page.content.decode()
    body = fragment.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<section class="tree" id="tree-ways"')
    assert "Are you sure?" in body
    for response in (page, fragment):
        assert "HX-Request" in response["Vary"]
    assert tree.get_absolute_url() == "/trees/ways/"


def test_a_history_restore_request_gets_the_full_page(client):
    make_tree(slug="ways")
    response = client.get(
        "/trees/ways/?tree-ways=2", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_walking_by_plain_links_reaches_an_outcome_with_a_recap(client):
    make_tree(slug="ways")
    start = client.get("/trees/ways/").content.decode()
    assert "Which way?" in start and "Pick a way." in start
    second = client.get(choice_hrefs(start)["Right"]).content.decode()
    assert "Are you sure?" in second
    assert "Question 2" in second
    outcome_url = choice_hrefs(second)["No"]
    assert outcome_url == "/trees/ways/?tree-ways=2.2#tree-ways"
    outcome = client.get(outcome_url).content.decode()
    assert "You went left" in outcome and "<strong>fine</strong>" in outcome
    recap = outcome[outcome.index("How you got here") :]
    assert recap.index("Which way?") < recap.index("Right") < recap.index("Are you sure?")
    assert 'href="/trees/ways/?tree-ways=2#tree-ways"' in outcome  # Back
    assert 'href="/trees/ways/#tree-ways"' in outcome  # Start over
    assert 'href="/trees/ways/map/"' in outcome


def test_the_why_of_a_choice_appears_in_the_recap(client):
    make_tree(slug="ways")
    outcome = client.get("/trees/ways/?tree-ways=1").content.decode()
    assert "Left is shorter." in outcome


def test_an_outdated_path_opens_at_the_last_valid_step(client):
    make_tree(slug="ways")
    page = client.get("/trees/ways/?tree-ways=2.7").content.decode()
    assert "does not match this tree" in page
    assert "Are you sure?" in page


def test_unknown_trees_are_not_found(client):
    assert client.get("/trees/nope/").status_code == 404
    assert client.get("/trees/nope/map/").status_code == 404


def test_the_map_shows_every_node_and_answer(client):
    make_tree(slug="ways")
    page = client.get("/trees/ways/map/").content.decode()
    for text in ("Which way?", "Are you sure?", "You went left", "You went right", "Right", "No"):
        assert text in page
    assert "(shown above)" in page  # "left" is reached twice but drawn once


def test_the_tree_list_links_every_tree(client):
    make_tree(slug="ways", title="Which way to go?")
    assert 'href="/trees/ways/"' in client.get("/trees/").content.decode()


def lesson_with_trees(*slugs: str):
    markers = "\n\n".join(f"[[tree:{slug}]]" for slug in slugs)
    return make_lesson(slug="guide", body=f"## Intro\n\nText.\n\n{markers}\n\n## After\n\nMore.\n")


def test_a_lesson_shows_its_trees_each_at_its_own_step(client):
    make_tree(slug="one")
    make_tree(slug="two")
    lesson_with_trees("one", "two")
    page = client.get("/lessons/guide/?tree-one=2").content.decode()
    one = page[page.index('id="tree-one"') : page.index('id="tree-two"')]
    two = page[page.index('id="tree-two"') :]
    assert "Are you sure?" in one
    assert "Which way?" in two and "Are you sure?" not in two.split("</section>")[0]
    # Following the second tree keeps the first tree's step in the address.
    assert choice_hrefs(two)["Right"] == "/lessons/guide/?tree-one=2&tree-two=2#tree-two"
    # The widgets sit outside the prose's hx-disable, the prose keeps it.
    assert page.count('<div class="prose" hx-disable>') == 3


def test_htmx_steps_from_a_lesson_link_back_to_the_lesson(client):
    make_tree(slug="one")
    make_tree(slug="two")
    lesson_with_trees("one", "two")
    fragment = client.get(
        "/trees/two/?tree-two=2",
        HTTP_HX_CURRENT_URL="http://testserver/lessons/guide/?tree-one=2",
        **HTMX,
    ).content.decode()
    assert choice_hrefs(fragment)["Yes"] == "/lessons/guide/?tree-one=2&tree-two=2.1#tree-two"
    assert 'hx-get="/trees/two/?tree-two=2.1"' in fragment
    assert 'hx-push-url="/lessons/guide/?tree-one=2&amp;tree-two=2.1#tree-two"' in fragment


def test_htmx_from_an_unknown_page_links_to_the_tree_page(client):
    make_tree(slug="one")
    fragment = client.get(
        "/trees/one/", HTTP_HX_CURRENT_URL="https://evil.example.com/admin/", **HTMX
    ).content.decode()
    assert choice_hrefs(fragment)["Right"] == "/trees/one/?tree-one=2#tree-one"


def test_a_marker_for_a_missing_tree_shows_instructors_an_error_and_learners_nothing(
    client, learner, instructor
):
    lesson_with_trees("ghost")
    client.force_login(learner)
    page = client.get("/lessons/guide/")
    assert page.status_code == 200
    assert "ghost" not in page.content.decode()
    client.force_login(instructor)
    page = client.get("/lessons/guide/").content.decode()
    assert "Missing decision tree." in page and "[[tree:ghost]]" in page


def test_an_outcome_links_its_lesson_sections_by_the_lessons_current_slugs(client):
    lesson = make_lesson(slug="backups", body="## Manual snapshots\n\nKept.\n")
    make_tree(
        slug="ways",
        definition=SIMPLE_TREE.replace(
            "= right: You went right", "= right: You went right\nlink: backups#manual-snapshots"
        ),
    )
    outcome = client.get("/trees/ways/?tree-ways=2.1", **HTMX).content.decode()
    assert '<a href="/lessons/backups/#manual-snapshots">Manual snapshots</a>' in outcome
    lesson.slug = "backups-and-snapshots"
    lesson.save()  # the tree is not saved again, and no cache needs telling
    outcome = client.get("/trees/ways/?tree-ways=2.1", **HTMX).content.decode()
    assert 'href="/lessons/backups-and-snapshots/#manual-snapshots"' in outcome
    assert "Read more" not in client.get("/trees/ways/?tree-ways=1", **HTMX).content.decode()


def test_steps_record_walks_but_looking_does_not(client):
    make_tree(slug="ways")
    client.get("/trees/ways/")
    assert not TreeWalk.objects.exists()
    client.get("/trees/ways/?tree-ways=2", **HTMX)
    client.get("/trees/ways/?tree-ways=2.1", **HTMX)
    walk = TreeWalk.objects.get()
    assert (walk.last_node_key, walk.finished) == ("right", True)


def test_a_visitors_plain_gets_and_any_prefetch_record_nothing_and_start_no_session(client):
    # What a crawler following the answer links, or a browser prefetching them, sends.
    make_tree(slug="ways")
    for path in ("2", "2.1", "1"):
        response = client.get(f"/trees/ways/?tree-ways={path}")
        assert response.status_code == 200
        assert settings.SESSION_COOKIE_NAME not in response.cookies
    client.get("/trees/ways/?tree-ways=2", **HTMX, headers={"Sec-Purpose": "prefetch"})
    assert not TreeWalk.objects.exists()
    assert not Session.objects.exists()


def test_a_signed_in_learners_plain_steps_are_walks(client, learner):
    make_tree(slug="ways")
    client.force_login(learner)
    client.get("/trees/ways/?tree-ways=2")
    client.get("/trees/ways/?tree-ways=2.1")
    walk = TreeWalk.objects.get()
    assert (walk.user, walk.last_node_key, walk.finished) == (learner, "right", True)
    client.get("/trees/ways/?tree-ways=2", headers={"Purpose": "prefetch"})
    assert TreeWalk.objects.get().last_node_key == "right"


def step_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **HTMX).status_code == 200
    return len(captured.captured_queries)


def test_a_step_makes_the_same_number_of_queries_whatever_the_tree_size():
    # Both steps reach a question in either tree (an outcome reads its links too, below).
    make_tree(slug="small", definition=deep_tree_definition(3))
    make_tree(slug="large", definition=deep_tree_definition(MAX_DEPTH))
    counts = {}
    for slug in ("small", "large"):
        client = Client()  # a new visitor each time: the first answer also creates a session
        counts[slug] = [
            step_queries(client, f"/trees/{slug}/?tree-{slug}=1"),
            step_queries(client, f"/trees/{slug}/?tree-{slug}=1.1"),
        ]
    assert counts["small"] == counts["large"]
    # A later step: the session, the tree (its whole spec comes with the row), and the walk's
    # read (its previous path, to notice answers taken back) and update.
    assert counts["large"][1] == 4


def test_an_outcome_step_reads_its_links_in_one_more_query():
    make_tree(slug="ways")
    client = Client()
    step_queries(client, "/trees/ways/?tree-ways=2")
    assert step_queries(client, "/trees/ways/?tree-ways=2.2") == 4 + 1


def test_a_lesson_with_trees_makes_the_same_number_of_queries_whatever_their_size(client):
    make_tree(slug="one", definition=deep_tree_definition(2))
    lesson_with_trees("one")
    with CaptureQueriesContext(connection) as small:
        client.get("/lessons/guide/")
    make_tree(slug="one", definition=deep_tree_definition(MAX_DEPTH))
    with CaptureQueriesContext(connection) as large:
        client.get("/lessons/guide/")
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_map_of_a_tree_at_the_depth_limit_shows_every_question(client):
    make_tree(slug="deep", definition=deep_tree_definition(MAX_DEPTH))
    response = client.get("/trees/deep/map/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Question {MAX_DEPTH - 1}?" in page and "The bottom" in page
    outline = page[page.index('<div class="tree-map">') :]
    assert outline.count("<ul") == outline.count("</ul>") == MAX_DEPTH + 1


def test_a_tree_stored_deeper_than_the_limit_still_has_a_map_and_a_walk(client):
    """Saved before the limit existed, it must not take its pages down."""
    tree = make_tree(slug="deep")
    spec = parse_definition(deep_tree_definition(100))[1]
    Tree.objects.filter(pk=tree.pk).update(compiled=spec.to_dict())
    assert "Question 99?" in client.get("/trees/deep/map/").content.decode()
    assert client.get("/trees/deep/?tree-deep=" + ".".join(["1"] * 99)).status_code == 200


# Drafts ---------------------------------------------------------------------------------------

SECRET_LINKED = SIMPLE_TREE.replace(
    "= right: You went right", "= right: You went right\nlink: secret#part"
)


@pytest.fixture
def draft_tree():
    """'hidden', placed only in the draft lesson 'secret'; 'ways', public, links to 'secret'."""
    secret = make_lesson(slug="secret", status="draft", body="## Part\n\n[[tree:hidden]]\n")
    make_tree(slug="hidden", title="Hidden tree")
    make_tree(slug="ways", title="Public tree", definition=SECRET_LINKED)
    return secret


def test_a_draft_tree_is_a_404_and_absent_for_learners(client, learner, draft_tree):
    for reader in (None, learner):
        client.logout()
        if reader:
            client.force_login(reader)
        for url in ("/trees/hidden/", "/trees/hidden/?tree-hidden=2.1", "/trees/hidden/map/"):
            assert client.get(url).status_code == 404, url
            assert client.get(url, **HTMX).status_code == 404, url
        listing = client.get("/trees/").content.decode()
        assert "Public tree" in listing and "Hidden tree" not in listing
    assert not TreeWalk.objects.exists()


def test_instructors_see_a_draft_tree_with_the_draft_banner(instructor_client, draft_tree):
    for url in ("/trees/hidden/", "/trees/hidden/map/"):
        page = instructor_client.get(url).content.decode()
        assert "Draft preview." in page and "Learners cannot see this tree" in page, url
    assert "Draft preview." not in instructor_client.get("/trees/ways/").content.decode()
    listing = instructor_client.get("/trees/").content.decode()
    hidden = listing[listing.index("Hidden tree") : listing.index("Public tree")]
    assert 'class="badge badge--draft"' in hidden
    assert listing.count("badge--draft") == 1


def test_read_more_never_names_a_draft_lesson_to_learners(client, instructor, draft_tree):
    outcome = "/trees/ways/?tree-ways=2.1"
    assert "/lessons/secret/" not in client.get(outcome).content.decode()
    assert "/lessons/secret/" not in client.get(outcome, **HTMX).content.decode()
    client.force_login(instructor)
    assert 'href="/lessons/secret/#part"' in client.get(outcome).content.decode()
