"""The "My progress" page: what a learner sees, for whom, and at what cost in queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from flashcards.models import Prompt, StudySettings
from tests.conftest import grade_now, make_card, make_lesson
from tests.practice.conftest import four_option_questions, submitted_attempt

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
    queries()  # the first view also makes the reads kept per content version (pagecache.kept)
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


# Practice tests (issue 17) -----------------------------------------------------------------


def test_a_learner_without_a_test_sees_one_line_inviting_a_first(learner_client):
    four_option_questions(2, lesson=make_lesson(title="Restore paths", slug="restore-paths"))
    page = learner_client.get("/progress/").content.decode()
    assert '<h2 id="practice-heading">Practice tests</h2>' in page
    assert 'href="/practice/new/">take your first</a>' in page
    assert "practice-scores" not in page  # no empty table


def test_the_practice_panel_is_left_out_where_there_are_no_questions(learner_client):
    make_card()
    assert "practice-heading" not in learner_client.get("/progress/").content.decode()


def test_the_practice_panel_shows_each_lessons_latest_score_and_trend(
    learner_client, learner, monkeypatch
):
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: now)
    restore = four_option_questions(
        2, lesson=make_lesson(title="Restore paths", slug="restore-paths")
    )
    four_option_questions(1, lesson=make_lesson(title="Replicas", slug="replicas"))
    submitted_attempt(
        learner, [(restore[0], "A"), (restore[1], "B")], submitted_at=now - dt.timedelta(days=3)
    )
    submitted_attempt(learner, [(restore[0], "B"), (restore[1], "B")], submitted_at=now)
    page = learner_client.get("/progress/").content.decode()
    table = page.split('class="dashboard__table practice-scores"')[1].split("</table>")[0]
    restore_row, replicas_row = table.split("<tr>")[2:]
    assert f'100% <span class="muted">(2 of 2, {now:%-d %b})</span>' in restore_row
    earlier = now - dt.timedelta(days=3)
    assert f'aria-label="2 tests: {earlier:%-d %b} 50%, {now:%-d %b} 100%"' in restore_row
    assert restore_row.count('class="chart__bar"') == 2
    assert "known" in restore_row  # the mastery bar beside it
    assert 'href="/practice/new/?scope=lesson%3Arestore-paths"' in restore_row
    assert "No test yet" in replicas_row
    assert 'href="/practice/new/?scope=lesson%3Areplicas"' in replicas_row
    assert 'href="/practice/">All your practice tests</a>' in page
    assert "style=" not in table


def test_the_practice_panel_costs_the_same_queries_whatever_the_number_of_tests(
    learner_client, learner
):
    lesson = make_lesson()
    questions = four_option_questions(3, lesson=lesson)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert learner_client.get("/progress/").status_code == 200
        return len(captured)

    queries()  # the first view also makes the reads kept per content version (pagecache.kept)
    without = queries()
    submitted_attempt(learner, [(prompt, "B") for prompt in questions])
    one = queries()
    for _ in range(20):
        submitted_attempt(learner, [(prompt, "A") for prompt in questions])
    assert queries() == one == without


def test_what_the_dashboard_keeps_per_content_version_follows_each_content_change(
    learner_client,
):
    """The lessons listed and those a test can be started on are kept per content version
    (pagecache.kept); a lesson published, or its first question, shows on the next view."""
    make_card(lesson=make_lesson(title="Restore paths"))
    assert "Restore paths" in learner_client.get("/progress/").content.decode()
    later = make_lesson(title="Encryption at rest", status="draft")
    make_card(lesson=later)
    assert "Encryption at rest" not in learner_client.get("/progress/").content.decode()
    later.status = "published"
    later.save()
    page = learner_client.get("/progress/").content.decode()
    assert "Encryption at rest" in page
    assert 'id="practice-heading"' not in page  # no lesson has a question yet
    four_option_questions(2, lesson=later)
    assert 'id="practice-heading"' in learner_client.get("/progress/").content.decode()


def test_a_learners_private_lesson_and_exam_cards_show_on_their_dashboard_alone(client):
    """Reads kept per content version are kept once for all learners without private topics
    (lessons.selectors.private_reader) and once per owner: neither leaks into the other."""
    from tests.conftest import make_topic, make_user

    owner, outsider = make_user(username="owner"), make_user(username="outsider")
    make_card(lesson=make_lesson(title="Site lesson"))
    mine = make_lesson(title="My own notes", topic=make_topic(owner=owner))
    make_card(lesson=mine, exam="Only in my notes.")
    pages = {}
    for user in (outsider, owner, outsider, owner):
        client.force_login(user)
        pages.setdefault(user.username, []).append(client.get("/progress/").content.decode())
    for page in pages["outsider"]:
        assert "Site lesson" in page and "My own notes" not in page
        assert "Study exam anchors" not in page
    for page in pages["owner"]:
        assert "Site lesson" in page and "My own notes" in page
        assert "Study exam anchors" in page
