"""Instructor analytics: who may see it, and what it shows."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from analytics import questions, roster
from analytics.services import known_snapshot_take
from analytics.views import INSTRUCTOR_PERMISSION
from flashcards.models import PromptState
from tests.analytics.conftest import log
from tests.conftest import make_card, make_lesson, make_user
from tests.practice.conftest import four_option_questions, studied_answer
from trees.models import TreeWalk

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
    assert "Which protocol do clones use?" in page
    assert "Can a clone cross regions?" not in page  # nobody failed it
    assert "Wilson" in page  # the page says what it ranks by


def test_tree_questions_where_learners_leave_or_go_back_link_to_their_tree(
    instructor_client, troubled_tree
):
    page = instructor_client.get("/analytics/").content.decode()
    assert f'href="/admin/trees/tree/{troubled_tree.pk}/change/"' in page
    assert "Are you sure?" in page


def test_the_roster_lists_learners_sorted_and_paginated(instructor_client, instructor):
    for number in range(roster.PAGE_SIZE + 1):
        make_user(username=f"learner-{number:03}")
    page = instructor_client.get("/analytics/learners/").content.decode()
    assert "learner-000" in page and "learner-049" in page and "learner-050" not in page
    assert f"/analytics/learners/{instructor.pk}/" not in page  # staff are not learners
    assert 'aria-sort="ascending"' in page
    second = instructor_client.get("/analytics/learners/?sort=-learner&page=2").content.decode()
    assert "learner-000" in second and "learner-050" not in second
    assert 'aria-sort="descending"' in second


def test_the_roster_filters_by_lesson(instructor_client):
    lesson = make_lesson(title="Backtrack")
    prompt = make_card(lesson=lesson).prompts.get()
    make_card()
    user = make_user(username="solo")
    log(user, prompt, 1)
    page = instructor_client.get(f"/analytics/learners/?lesson={lesson.slug}").content.decode()
    assert f'<option value="{lesson.slug}" selected>' in page
    assert "in one lesson" in page
    unknown = instructor_client.get("/analytics/learners/?lesson=nope").content.decode()
    assert "in one lesson" not in unknown  # an unknown lesson shows everyone's everything


def test_the_roster_says_when_its_known_order_was_taken(instructor_client):
    PromptState.objects.create(
        user=make_user(username="ann"),
        prompt=make_card().prompts.get(),
        state=2,
        due=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    before = instructor_client.get("/analytics/learners/?sort=-known").content.decode()
    assert 'id="learners-known-order"' not in before  # no snapshot yet: sorted live
    known_snapshot_take(now=dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC))
    page = instructor_client.get("/analytics/learners/?sort=-known").content.decode()
    assert 'id="learners-known-order"' in page
    assert '<time datetime="2026-11-30T03:00:00+00:00">30 Nov 2026, 03:00' in page
    other = instructor_client.get("/analytics/learners/?sort=-due").content.decode()
    assert 'id="learners-known-order"' not in other  # only the Known order is the snapshot's


def test_the_roster_downloads_as_csv_with_every_learner(instructor_client):
    for number in range(roster.PAGE_SIZE + 5):
        make_user(username=f"learner-{number:03}")
    make_user(username="=cmd")
    response = instructor_client.get("/analytics/learners.csv?sort=-learner&page=2")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="learners-')
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0] == [column.label for column in roster.COLUMNS]
    assert len(lines) == 1 + roster.PAGE_SIZE + 6  # all of them, whatever the page
    assert lines[1][0] == "learner-054"  # in the roster's order
    assert ["'=cmd", "0", "0", "", "0.0%", "0", "0", "0"] in lines


def test_a_learners_page_shows_their_lessons_hardest_cards_and_walks(
    instructor_client, troubled_tree
):
    lesson = make_lesson(title="Clones")
    card = make_card(lesson=lesson, front="How are clones made?")
    user = make_user(username="studious")
    log(user, card.prompts.get(), 1)
    TreeWalk.objects.create(
        tree=troubled_tree, walker=f"user:{user.pk}", user=user, last_node_key="second"
    )
    page = instructor_client.get(f"/analytics/learners/{user.pk}/").content.decode()
    assert "<h1>studious</h1>" in page
    assert f'href="{lesson.get_absolute_url()}"' in page
    assert "How are clones made?" in page
    assert "Stopped at: Are you sure?" in page


def test_a_learners_page_is_only_for_learners(instructor_client, instructor, superuser):
    assert instructor_client.get(f"/analytics/learners/{instructor.pk}/").status_code == 404
    assert instructor_client.get(f"/analytics/learners/{superuser.pk}/").status_code == 404
    assert instructor_client.get("/analytics/learners/999999/").status_code == 404


def test_the_admin_links_to_analytics_for_those_who_may_open_it(instructor, superuser):
    staff_only = make_user(username="staff-only", is_staff=True)
    for user, shown in ((instructor, True), (superuser, True), (staff_only, False)):
        client = Client()
        client.force_login(user)
        for page in ("/admin/", "/admin/lessons/lesson/"):
            html = client.get(page).content.decode()
            assert ('href="/analytics/learners/"' in html) is shown, (user.username, page)
        index = client.get("/admin/").content.decode()
        assert ('id="analytics-module"' in index) is shown
        assert ('href="/analytics/questions/"' in index) is shown


def test_the_roster_pages_keep_the_sort(instructor_client, monkeypatch):
    monkeypatch.setattr(roster, "PAGE_SIZE", 2)
    for name in ("ann", "bob", "cid"):
        make_user(username=name)
    first = instructor_client.get("/analytics/learners/?sort=-name").content.decode()
    assert 'aria-label="Pages of learners"' in first and "Page 1 of 2" in first
    assert 'href="?sort=-name&amp;page=2" rel="next"' in first
    second = instructor_client.get("/analytics/learners/?sort=-name&page=2").content.decode()
    assert "Page 2 of 2" in second and 'rel="prev"' in second and 'rel="next"' not in second


# Exam-style questions (issue 17) -----------------------------------------------------------


def test_the_questions_page_is_for_instructors_only(learner_client):
    assert learner_client.get("/analytics/questions/").status_code == 403
    response = Client().get("/analytics/questions/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_questions_page_shows_figures_and_links_to_fix_each_question(instructor_client):
    lesson = make_lesson(title="Restore paths", slug="restore-paths")
    hard, unanswered = four_option_questions(
        2, lesson=lesson, stems=("A developer dropped a table. Which path?",)
    )
    learners = [make_user(username=f"learner-name-{n}") for n in range(20)]
    for number, user in enumerate(learners):
        studied_answer(user, hard, "A" if number < 12 else "B")  # C and D never picked
    page = instructor_client.get("/analytics/questions/").content.decode()
    assert "/analytics/questions/" in instructor_client.get("/analytics/").content.decode()
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert "A developer dropped a table. Which path?" in rows[0]  # the hardest first
    assert f'href="/admin/flashcards/card/{hard.card_id}/change/"' in rows[0]
    assert 'href="/lessons/restore-paths/"' in rows[0]
    assert "<td>20</td><td>40%</td>" in "".join(rows[0].split())  # answers, share right
    assert rows[0].count("Nobody picks this: rewrite it.") == 2
    assert "<strong>right</strong>, picked 40%" in rows[0]
    assert "none yet" in rows[1]
    assert "learner-name" not in page  # figures only: nobody is named


def test_the_questions_page_sorts_and_pages_keeping_the_sort(instructor_client, monkeypatch):
    monkeypatch.setattr(questions, "PAGE_SIZE", 2)
    lesson = make_lesson()
    prompts = four_option_questions(
        3, lesson=lesson, stems=("Stem one?", "Stem two?", "Stem three?")
    )
    for prompt, letters in zip(prompts, ("BBB", "AAB", "AAA"), strict=True):
        for letter in letters:
            studied_answer(make_user(), prompt, letter)
    first = instructor_client.get("/analytics/questions/").content.decode()
    assert first.index("Stem three?") < first.index("Stem two?")
    assert 'aria-sort="descending"><a href="?sort=difficulty">Wrong, at least' in first
    easiest = instructor_client.get("/analytics/questions/?sort=difficulty").content.decode()
    assert "Stem one?" in easiest and "Stem three?" not in easiest
    assert 'href="?sort=difficulty&amp;page=2" rel="next"' in easiest
    second = instructor_client.get("/analytics/questions/?sort=difficulty&page=2").content
    assert "Stem three?" in second.decode()


def test_the_questions_page_costs_the_same_queries_however_many_answers(instructor_client):
    prompts = four_option_questions(3)
    instructor_client.get("/analytics/questions/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert instructor_client.get("/analytics/questions/").status_code == 200
        return len(captured)

    few = queries()
    for prompt in prompts:
        for letter in "ABCDABCDAB":
            studied_answer(make_user(), prompt, letter)
    assert queries() == few


def test_a_question_cards_admin_page_links_to_its_figures_alone(instructor_client, superuser):
    restore, other = four_option_questions(2, stems=("The restore question?", "Another question?"))
    studied_answer(make_user(), restore, "B")
    client = Client()
    client.force_login(superuser)
    admin_page = client.get(f"/admin/flashcards/card/{restore.card_id}/change/").content.decode()
    assert f'href="/analytics/questions/?card={restore.card_id}"' in admin_page
    plain = make_card()
    assert "/analytics/questions/" not in (
        client.get(f"/admin/flashcards/card/{plain.pk}/change/").content.decode()
    )
    page = instructor_client.get(f"/analytics/questions/?card={restore.card_id}").content.decode()
    assert "The restore question?" in page and "Another question?" not in page
    assert "One question's figures." in page
    gone = instructor_client.get(f"/analytics/questions/?card={plain.pk}").content.decode()
    assert "it is not a question learners can answer now" in gone
    # Anything else for ?card= is ignored: every question.
    every = instructor_client.get("/analytics/questions/?card=x").content.decode()
    assert "The restore question?" in every and "Another question?" in every
    # Digits int() refuses (str.isdigit() took them: a 500) or reads as nobody typed.
    for odd in ("²", "٣", "9" * 40):
        response = instructor_client.get(f"/analytics/questions/?card={odd}")
        assert response.status_code == 200 and "Another question?" in response.content.decode()
