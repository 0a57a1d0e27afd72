"""The head and header kept per process (portal/templatetags/site_chrome.py)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from tests.conftest import make_lesson, make_user

pytestmark = pytest.mark.django_db


def header(response) -> str:
    return re.search(r'<header class="site-header">.*?</header>', response.content.decode(), re.S)[
        0
    ]


def test_a_visitors_log_in_links_return_to_the_page_they_are_on():
    lesson = make_lesson()
    visitor = Client()
    home, page = visitor.get("/"), visitor.get(f"/lessons/{lesson.slug}/?x=1")
    assert 'href="/accounts/login/"' in header(home)  # the home page is where they land anyway
    assert f'href="/accounts/login/?next=%2Flessons%2F{lesson.slug}%2F%3Fx%3D1"' in header(page)
    assert f'href="/accounts/signup/?next=%2Flessons%2F{lesson.slug}%2F%3Fx%3D1"' in header(page)


def test_the_current_nav_item_is_marked_on_each_page():
    visitor = Client()
    assert 'href="/" aria-current="page"' in header(visitor.get("/"))
    trees = header(visitor.get("/trees/"))
    assert 'href="/trees/" aria-current="page"' in trees and 'href="/" aria-current' not in trees


def test_a_learners_header_shows_their_own_name_and_a_fresh_token_that_logs_them_out():
    alice, bob = make_user(username="alice"), make_user(username="bob")
    first, second = Client(), Client()
    first.force_login(alice)
    second.force_login(bob)
    assert ">alice</a>" in header(first.get("/")) and ">bob</a>" in header(second.get("/"))
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', header(first.get("/")))[1]
        for _ in range(2)
    ]
    assert tokens[0] != tokens[1]  # masked afresh per response, as {% csrf_token %} does
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(alice)
    page = checked.get("/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', header(page))[1]
    assert checked.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert ">Log in</a>" in header(checked.get("/"))


def test_a_renamed_learner_sees_the_new_name_at_once():
    user = make_user(username="before")
    client = Client()
    client.force_login(user)
    assert ">before</a>" in header(client.get("/"))
    user.username = "after"
    user.save()
    assert ">after</a>" in header(client.get("/")) and "before" not in header(client.get("/"))


def test_the_analytics_link_follows_the_permission_at_once():
    staff = make_user(username="staff", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert "/analytics/" not in header(client.get("/"))
    staff.user_permissions.add(Permission.objects.get(codename="change_lesson"))
    assert "/analytics/" in header(client.get("/"))


def test_the_search_box_shows_the_searched_text_escaped():
    page = header(Client().get("/search/", {"q": '<b>"restore"'}))
    assert 'value="&lt;b&gt;&quot;restore&quot;"' in page
    assert 'value=""' in header(Client().get("/"))


def test_site_pages_carry_no_nonce_and_visitors_pages_no_csrf_token():
    lesson = make_lesson()
    response = Client().get(f"/lessons/{lesson.slug}/")
    assert "nonce" not in response.content.decode()
    assert "'nonce-" not in response["Content-Security-Policy"]
    assert "csrf" not in response.content.decode().lower() and "csrftoken" not in response.cookies
