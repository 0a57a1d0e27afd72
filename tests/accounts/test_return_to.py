from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.template.loader import render_to_string
from django_htmx.middleware import HtmxDetails

from tests.conftest import PASSWORD, make_lesson, sign_up_data

pytestmark = pytest.mark.django_db

EVIL_NEXTS = ["//evil.example/", "https://evil.example/", "javascript:alert(1)"]


def auth_links(html: str) -> list[str]:
    """Every log-in and sign-up link's href on a page, unescaped."""
    hrefs = re.findall(r'href="(/accounts/(?:login|signup)/[^"]*)"', html)
    return [unescape(href) for href in hrefs]


def carrying(path: str) -> set[str]:
    encoded = quote(path, safe="")
    return {f"/accounts/login/?next={encoded}", f"/accounts/signup/?next={encoded}"}


def test_every_link_on_a_lesson_page_returns_to_it_with_its_query_string(client):
    make_lesson(slug="restore", body="Body.")
    path = "/lessons/restore/?tree-x=1"
    links = auth_links(client.get(path).content.decode())
    assert links and set(links) <= carrying(path)


def test_every_link_on_the_home_page_goes_straight_to_the_form(client):
    # The home page is where log-in lands anyway: no `next` to carry.
    links = auth_links(client.get("/").content.decode())
    assert links and set(links) == {"/accounts/login/", "/accounts/signup/"}


def test_links_on_the_search_page_keep_the_query(client):
    path = "/search/?q=percona"
    links = auth_links(client.get(path).content.decode())
    assert links and set(links) <= carrying(path)


def test_links_on_the_tree_list_return_to_it(client):
    links = auth_links(client.get("/trees/").content.decode())
    assert links and set(links) <= carrying("/trees/")


def test_a_page_that_needs_an_account_sends_there_and_back(client):
    response = client.get("/study/?scope=exam")
    assert response["Location"] == "/accounts/login/?next=/study/%3Fscope%3Dexam"


def test_the_log_in_page_passes_its_next_on_to_sign_up_and_back(client):
    login = client.get("/accounts/login/?next=/lessons/x/%3Fa%3D1").content.decode()
    assert set(auth_links(login)) == carrying("/lessons/x/?a=1")
    signup = client.get("/accounts/signup/?next=/lessons/x/%3Fa%3D1").content.decode()
    assert set(auth_links(signup)) == carrying("/lessons/x/?a=1")


@pytest.mark.parametrize("evil", EVIL_NEXTS)
def test_the_account_pages_do_not_pass_on_an_offsite_next(client, evil):
    for page in ("/accounts/login/", "/accounts/signup/"):
        html = client.get(page, {"next": evil}).content.decode()
        assert set(auth_links(html)) == {"/accounts/login/", "/accounts/signup/"}
        assert "evil" not in html and "javascript:" not in html


def test_the_403_page_returns_to_the_refused_page(rf):
    # Every view here sends a visitor to log in rather than refusing; the page still offers it.

    request = rf.get("/analytics/?week=2")
    request.user = AnonymousUser()
    html = render_to_string("403.html", {"user": request.user}, request=request)
    assert set(auth_links(html)) == carrying("/analytics/?week=2")


def test_an_htmx_partial_links_back_to_the_page_htmx_names(rf):

    request = rf.get(
        "/trees/x/step/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/lessons/y/"
    )
    request.htmx = HtmxDetails(request)
    request.resolver_match = None
    html = Template('{% load return_links %}{% returning_url "login" %}').render(
        Context({"request": request})
    )
    assert html == "/accounts/login/?next=%2Flessons%2Fy%2F"


def test_sign_up_returns_to_next(client):
    response = client.post(
        "/accounts/signup/",
        sign_up_data("back", next="/trees/?a=1"),
    )
    assert response.status_code == 302 and response["Location"] == "/trees/?a=1"


def test_sign_up_with_a_relative_next_is_not_looked_up_as_a_url_name(client):
    response = client.post(
        "/accounts/signup/",
        sign_up_data("back", next="lessons"),
    )
    assert response.status_code == 302 and response["Location"] == "lessons"


def test_log_in_returns_to_next(client, learner):
    response = client.post(
        "/accounts/login/",
        {"username": "learner", "password": PASSWORD, "next": "/trees/?a=1"},
    )
    assert response.status_code == 302 and response["Location"] == "/trees/?a=1"


@pytest.mark.parametrize("evil", EVIL_NEXTS)
def test_sign_up_ignores_an_offsite_next(client, evil):
    response = client.post(
        "/accounts/signup/",
        sign_up_data("back", next=evil),
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize("evil", EVIL_NEXTS)
def test_log_in_ignores_an_offsite_next(client, learner, evil):
    response = client.post(
        "/accounts/login/", {"username": "learner", "password": PASSWORD, "next": evil}
    )
    assert response["Location"] == "/"
