"""The search page: full page without JavaScript, the `search-page` partial for htmx, and the
search box in every page's header."""

from __future__ import annotations

import re

import pytest

from search.query import MAX_QUERY_LENGTH
from tests.search.test_selectors import HOSTILE

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_plain_get_is_the_full_page_with_results_linking_to_sections(client, bundled_content):
    response = client.get("/search/", {"q": "Percona"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert "<title>Search: Percona · Study portal</title>" in page
    assert re.search(r'id="search-count">\d+ results for “Percona”</p>', page)
    assert 'href="/lessons/restore-paths/#into-aurora-mysql"' in page
    assert 'href="/trees/which-restore-path/"' in page
    assert "<mark>Percona</mark>" in page
    # The header's box holds the query, so the learner can refine it.
    assert re.search(r'name="q"\s+value="Percona"', page)
    assert "HX-Request" in response["Vary"]


def test_htmx_gets_the_page_content_with_a_title_and_the_count_for_the_live_region(
    client, bundled_content
):
    response = client.get("/search/", {"q": "percona"}, **HTMX)
    fragment = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in fragment and "site-header" not in fragment
    assert 'id="search-page"' in fragment and 'id="search-results"' in fragment
    assert fragment.lstrip().startswith("<title>Search: percona · Study portal</title>")
    assert re.search(
        r'<span hx-swap-oob="innerHTML:#search-status">\d+ results for “percona”</span>', fragment
    )
    assert "HX-Request" in response["Vary"]


def test_searching_from_another_page_adds_a_history_entry_and_typing_on_replaces_it(client):
    def typed(query: str, on_page: str):
        return client.get(
            "/search/", {"q": query}, HTTP_HX_CURRENT_URL=f"http://testserver{on_page}", **HTMX
        )

    from_lesson = typed("a b", on_page="/lessons/restore-paths/")
    assert from_lesson["HX-Push-Url"] == "/search/?q=a+b"
    typing_on = typed("a bc", on_page="/search/?q=a+b")
    assert typing_on["HX-Replace-Url"] == "/search/?q=a+bc"
    assert "HX-Push-Url" not in typing_on
    assert typed("", on_page="/search/?q=a")["HX-Replace-Url"] == "/search/"


def test_a_history_restore_request_gets_the_full_page(client):
    response = client.get("/search/?q=x", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in response.content.decode()
    assert "HX-Push-Url" not in response and "HX-Replace-Url" not in response


def test_without_a_query_the_page_invites_a_search_and_makes_no_query(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        page = client.get("/search/").content.decode()
    assert "Type in the search box" in page
    assert 'id="search-results"' not in page
    assert "<title>Search · Study portal</title>" in page


def test_no_results_says_so(client, bundled_content):
    page = client.get("/search/", {"q": "zeppelin"}).content.decode()
    assert "No results for “zeppelin”" in page
    assert 'id="search-results"' not in page
    fragment = client.get("/search/", {"q": "zeppelin"}, **HTMX).content.decode()
    assert '<span hx-swap-oob="innerHTML:#search-status">No results for “zeppelin”</span>' in (
        fragment
    )


def test_a_query_over_the_limit_is_cut_and_the_page_says_so(client):
    page = client.get("/search/", {"q": "word " * 100}).content.decode()
    assert f"Searches are limited to {MAX_QUERY_LENGTH} characters" in page


def test_the_query_is_escaped_where_it_is_shown(client):
    page = client.get("/search/", {"q": '<script>alert("q")</script>'}).content.decode()
    assert "<script>alert" not in page
    assert "“&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt;”" in page


@pytest.mark.parametrize("query", HOSTILE)
def test_no_query_is_a_server_error(client, query):
    assert client.get("/search/", {"q": query}).status_code == 200
    assert client.get("/search/", {"q": query}, **HTMX).status_code == 200


def test_only_safe_methods_are_allowed(client):
    assert client.post("/search/", {"q": "x"}).status_code == 405
    assert client.head("/search/?q=x").status_code == 200


def test_every_page_has_the_search_box_in_its_header(client):
    page = client.get("/").content.decode()
    header = page[page.index('<header class="site-header">') : page.index("</header>")]
    box = header[header.index("<search") : header.index("</search>")]
    # A labelled GET form: the same box works without JavaScript.
    assert '<form class="site-search__form" action="/search/" method="get">' in box
    assert '<label class="visually-hidden" for="site-search-input">' in box
    assert 'id="site-search-input" type="search" name="q"' in box
    assert f'maxlength="{MAX_QUERY_LENGTH}"' in box
    # With htmx: debounced as the learner types, or clears it, into <main>, and in the URL.
    assert 'hx-get="/search/"' in box
    assert 'hx-trigger="input changed delay:300ms, search"' in box
    assert 'hx-target="#main"' in box and 'hx-push-url="true"' in box
    assert '<p class="visually-hidden" id="search-status" role="status"></p>' in box
    assert 'id="main"' in page  # the box's target
    assert not re.search(r"\s(style|on[a-z]+|hx-on[-:a-z]*)=", box)  # the CSP allows none
