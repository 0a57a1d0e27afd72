"""The "My progress" page: what a learner sees, for whom, and at what cost in queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from flashcards.models import Prompt, StudySettings
from tests.conftest import grade_now, make_card, make_lesson

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/progress/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_new_learner_sees_an_empty_but_complete_dashboard(learner_client):
    make_card(front="What is PITR?")
    page = learner_client.get("/progress/").content.decode()
    for heading in (
        "My progress",
        "Due today",
        "New available",
        "Reviewed today",
        "Streak",
        "Reviews in the past year",
        "Cards due in the next 30 days",
        "Retention",
        "How well you know each lesson",
    ):
        assert heading in page
    assert "No reviews in the past year yet." in page
    assert "Nothing falls due in the next 30 days." in page


def test_the_dashboard_shows_todays_figures_and_links_to_study_a_lesson(
    learner_client, learner, monkeypatch
):
    # At noon: reviews "five minutes ago" must fall today, which they do not just after midnight.
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: now)
    lesson = make_lesson(title="Restore paths", slug="restore-paths")
    cards = [make_card(lesson=lesson, front=f"Q{n}?") for n in range(3)]
    for card in cards[:2]:
        grade_now(learner, Prompt.objects.get(card=card), 3, now - dt.timedelta(minutes=5))
    page = learner_client.get("/progress/").content.decode()
    assert "/study/?scope=lesson%3Arestore-paths" in page
    assert "<dt>Reviewed today</dt><dd>2</dd>" in page
    assert "<dt>New available</dt><dd>1</dd>" in page  # one unseen card left
    assert "2 reviews on 1 day of the past 365" in page


def test_the_dashboard_offers_the_exam_anchors_only_when_exam_cards_exist(learner_client):
    make_card(front="Plain?")
    assert "scope=exam" not in learner_client.get("/progress/").content.decode()
    make_card(front="Aurora?", exam="Aurora automated backups cannot be disabled.")
    page = learner_client.get("/progress/").content.decode()
    assert 'href="/study/?scope=exam">Study exam anchors</a>' in page


def test_an_exam_date_adds_expected_recall_on_the_day(learner_client, learner):
    lesson = make_lesson(title="Encryption")
    card = make_card(lesson=lesson)
    grade_now(learner, Prompt.objects.get(card=card), 3, timezone.now() - dt.timedelta(minutes=1))
    exam = timezone.now().date() + dt.timedelta(days=20)
    StudySettings.objects.create(user=learner, exam_date=exam)
    page = learner_client.get("/progress/").content.decode()
    assert f"Exam on {exam:%A} {exam.day} {exam:%B %Y}" in page
    # "Known" is then taken on the exam day, and the page says so.
    assert f"expected to recall on your exam day, {exam.day} {exam:%B %Y}, if you" in page


def test_the_dashboard_makes_the_same_number_of_queries_whatever_the_history(
    learner_client, learner
):
    lesson = make_lesson()
    cards = [make_card(lesson=lesson) for _ in range(6)]
    start = timezone.now() - dt.timedelta(days=200)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert learner_client.get("/progress/").status_code == 200
        return len(captured)

    grade_now(learner, Prompt.objects.get(card=cards[0]), 3, start)
    short = queries()
    for day in range(0, 200, 3):
        for card in cards:
            grade_now(
                learner,
                Prompt.objects.get(card=card),
                1 + day % 4,
                start + dt.timedelta(days=day, minutes=1),
            )
    assert queries() == short
