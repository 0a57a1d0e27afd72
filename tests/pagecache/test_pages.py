"""Conditional GET and the visitors' page cache on the reading pages (pagecache/pages.py)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lessons.models import Lesson
from pagecache import pages
from tests.conftest import make_lesson, make_tree
from trees.models import TreeWalk

pytestmark = pytest.mark.django_db

SIMPLE = {
    "body": "## Part\n\nFirst text.\n\n[[tree:ways]]\n",
    "slug": "backups",
    "title": "Backups",
}
LESSON = "/lessons/backups/"


@pytest.fixture
def lesson():
    make_tree(slug="ways")
    return make_lesson(**SIMPLE)


def get(path: str, client: Client | None = None, **headers):
    """A GET by a fresh visitor (no cookies) unless a client is given, with its query count."""
    with CaptureQueriesContext(connection) as queries:
        response = (client or Client()).get(path, **headers)
    return response, len(queries.captured_queries)


@pytest.mark.parametrize(
    "path", ["/", "/topics/{topic}/", LESSON, "/trees/", "/trees/ways/", "/trees/ways/map/"]
)
def test_a_visitor_s_revalidation_is_a_304_before_the_view_runs(lesson, path):
    path = path.format(topic=lesson.topic.slug)
    first, _ = get(path)
    assert first.status_code == 200
    assert first["ETag"].startswith('"v-')
    again, queries = get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert queries == 1  # the content version, nothing of the page


def test_a_stale_tag_gets_the_whole_page(lesson):
    first, _ = get(LESSON)
    Lesson.objects.filter(pk=lesson.pk).update(title="Backups, revised")
    again, _ = get(LESSON, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert "Backups, revised" in again.content.decode()


def test_a_visitor_s_second_load_comes_from_the_cache(lesson):
    first, _ = get(LESSON)
    again, queries = get(LESSON)
    assert queries == 1
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]


@pytest.mark.parametrize(
    "write",
    [
        lambda lesson: Lesson.objects.filter(pk=lesson.pk).update(title="Renamed"),
        lambda lesson: connection.cursor().execute(
            "UPDATE lessons_lesson SET title = 'Renamed' WHERE id = %s", [lesson.pk]
        ),
    ],
)
def test_after_a_write_the_next_visitor_gets_the_new_page_never_the_cached_one(lesson, write):
    get(LESSON)
    assert "Renamed" not in get(LESSON)[0].content.decode()  # the cached page
    write(lesson)
    assert "Renamed" in get(LESSON)[0].content.decode()


def test_a_draft_lesson_is_a_404_once_unpublished_whatever_was_cached(lesson):
    get(LESSON)
    Lesson.objects.filter(pk=lesson.pk).update(status=Lesson.Status.DRAFT)
    assert get(LESSON)[0].status_code == 404


def test_a_visitor_s_page_holds_no_nonce_token_or_cookie_and_its_policy_is_fresh(lesson):
    for _ in range(2):  # the page rendered, then from the cache
        response, _ = get(LESSON)
        body = response.content.decode()
        assert "nonce" not in body
        assert "csrf" not in body.lower()
        assert not response.cookies
        assert "'nonce-" not in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cache-Control"] == "no-cache"
        assert {"Cookie", "HX-Request", "HX-Current-URL"} <= set(
            re.split(r",\s*", response["Vary"])
        )


@pytest.mark.urls("tests.pagecache.urls")
def test_a_page_that_used_a_nonce_is_never_kept_and_never_sends_one_twice():
    nonces = set()
    for _ in range(3):
        response, _ = get("/with-nonce/")
        sent = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]
        assert f'nonce="{sent}"' in response.content.decode()
        nonces.add(sent)
    assert len(nonces) == 3


@pytest.mark.urls("tests.pagecache.urls")
def test_a_page_that_read_the_csrf_token_is_never_kept():
    for _ in range(2):
        response, _ = get("/with-csrf-token/")
        assert "csrftoken" in response.cookies  # rendered for this visitor, not from the cache


def test_a_visitor_s_htmx_step_is_recorded_every_time_never_served_from_the_cache(lesson):
    step = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver" + LESSON}
    for _ in range(2):
        response, _ = get("/trees/ways/?tree-ways=1", **step)
        assert response.status_code == 200
        assert "sessionid" in response.cookies
    assert TreeWalk.objects.count() == 2


def test_an_htmx_step_back_to_the_start_records_nothing_and_is_cached(lesson):
    step = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver" + LESSON}
    first, _ = get("/trees/ways/", **step)
    again, queries = get("/trees/ways/", **step)
    assert queries == 1
    assert again.content == first.content
    assert "<html" not in again.content.decode()
    # The same address as a full page is another entry.
    assert "<html" in get("/trees/ways/")[0].content.decode()


def test_the_page_a_step_came_from_is_part_of_the_key(lesson):
    from_lesson = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver" + LESSON}
    from_tree = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/trees/ways/"}
    on_lesson, _ = get("/trees/ways/", **from_lesson)
    on_tree, _ = get("/trees/ways/", **from_tree)
    assert on_lesson["ETag"] != on_tree["ETag"]
    assert f'href="{LESSON}?tree-ways=1' in on_lesson.content.decode()
    assert 'href="/trees/ways/?tree-ways=1' in on_tree.content.decode()


def test_a_visitor_s_plain_step_is_cached_and_other_query_strings_are_not(lesson):
    get(LESSON + "?tree-ways=1")
    assert get(LESSON + "?tree-ways=1")[1] == 1
    first, _ = get(LESSON + "?utm=x")
    again, queries = get(LESSON + "?utm=x")
    assert queries > 1  # rendered again, not kept
    # It still has its tag, for revalidation.
    assert get(LESSON + "?utm=x", HTTP_IF_NONE_MATCH=first["ETag"])[0].status_code == 304


def test_a_page_over_the_size_limit_is_not_kept(lesson, monkeypatch):
    monkeypatch.setattr(pages, "LARGEST_CACHED_PAGE", 100)
    get(LESSON)
    assert get(LESSON)[1] > 1


def test_a_learner_is_never_served_the_visitors_page_and_revalidates_by_the_body(
    lesson, learner_client
):
    get(LESSON)  # kept for visitors
    page, queries = get(LESSON, learner_client)
    assert "Log out" in page.content.decode()
    assert queries > 1
    assert page["Cache-Control"] == "private, no-store"
    assert not page["ETag"].startswith('"v-')
    again, _ = get(LESSON, learner_client, HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["Cache-Control"] == "private, no-store"


def test_a_visitor_with_a_session_gets_the_page_rendered_with_a_body_tag(lesson):
    client = Client()
    client.get("/trees/ways/?tree-ways=1", HTTP_HX_REQUEST="true")  # starts a session
    page, queries = get(LESSON, client)
    assert queries > 1
    assert not page["ETag"].startswith('"v-')
    assert get(LESSON, client, HTTP_IF_NONE_MATCH=page["ETag"])[0].status_code == 304
