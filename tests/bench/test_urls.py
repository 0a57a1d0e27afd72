"""The benchmark's two limits (bench/urls.py) do the work their names promise, and no more."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db
with_limits = pytest.mark.urls("bench.urls")


@with_limits
def test_the_signed_in_limit_reads_the_session_and_the_user(learner_client):
    with CaptureQueriesContext(connection) as queries:
        response = learner_client.get("/bench/signed-in")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    # One query: the session with its user joined (portal/sessions.py).
    [read] = [query["sql"] for query in queries]
    assert read.split(" FROM ")[1].split()[0].strip('"') == "accounts_session"
    assert 'JOIN "auth_user"' in read


@with_limits
def test_the_signed_in_limit_refuses_a_visitor(client):
    assert client.get("/bench/signed-in").status_code == 403


@with_limits
def test_the_page_shell_is_the_base_template_with_no_content(client):
    response = client.get("/bench/page-shell")
    assert response.status_code == 200
    names = [template.name for template in response.templates]
    # The head and header are drawn once per process (portal.templatetags.site_chrome): a
    # first page lists their templates, later ones only base.html.
    assert names[0] == "base.html"
    assert set(names[1:]) <= {
        "includes/site_head.html",
        "includes/htmx_head.html",
        "includes/site_header.html",
        "search/includes/search_box.html",
    }
    assert b'<header class="site-header">' in response.content
    assert b'<main id="main" tabindex="-1">' in response.content


def test_the_site_itself_has_no_benchmark_urls(client):
    assert client.get("/bench/page-shell").status_code == 404
    assert client.get("/bench/signed-in").status_code == 404
