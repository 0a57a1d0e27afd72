"""Instructor analytics: who may see it, and what it shows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from analytics.views import INSTRUCTOR_PERMISSION
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_learners_are_refused_and_visitors_sent_to_log_in(learner_client):
    assert learner_client.get("/analytics/").status_code == 403
    response = Client().get("/analytics/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_instructors_and_superusers_see_it(instructor_client, client, superuser):
    assert instructor_client.get("/analytics/").status_code == 200
    client.force_login(superuser)
    assert client.get("/analytics/").status_code == 200


def test_the_navigation_offers_it_to_those_who_may_open_it(instructor, learner):
    staff_only = make_user(username="staff-only", is_staff=True)  # the admin, not analytics
    granted = make_user(username="granted", is_staff=True)
    app_label, codename = INSTRUCTOR_PERMISSION.split(".")
    granted.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    for user, shown in ((instructor, True), (granted, True), (learner, False), (staff_only, False)):
        client = Client()
        client.force_login(user)
        link = 'href="/analytics/"' in client.get("/").content.decode()
        opens = client.get("/analytics/").status_code == 200
        assert link is opens is shown, user.username


def test_the_hardest_cards_are_listed_with_links_to_fix_them(instructor_client, hard_cards):
    lesson, hard = hard_cards.lesson, hard_cards.hard
    page = instructor_client.get("/analytics/").content.decode()
    assert f'href="/lessons/{lesson.slug}/#copy-on-write"' in page
    assert f'href="/admin/flashcards/card/{hard.pk}/change/"' in page
    assert page.index("Which protocol do clones use?") < page.index("Can a clone cross regions?")


def test_tree_questions_where_learners_leave_or_go_back_link_to_their_tree(
    instructor_client, troubled_tree
):
    page = instructor_client.get("/analytics/").content.decode()
    assert f'href="/admin/trees/tree/{troubled_tree.pk}/change/"' in page
    assert "Are you sure?" in page
