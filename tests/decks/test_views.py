"""The export page and the download (decks/views.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flashcards.models import Prompt
from tests.conftest import grade_now, make_card, make_lesson, make_topic
from tests.decks.conftest import notes_by_guid

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson():
    lesson = make_lesson(slug="backups", title="Backups", topic=make_topic(slug="rds"))
    make_card(lesson=lesson, front="Kept how long?", back="1 to 35 days.", section="first-part")
    return lesson


def test_the_page_offers_the_scopes_and_preselects_the_one_asked(client, lesson):
    page = client.get("/anki/?scope=lesson:backups").content.decode()
    assert "<html" in page
    assert 'action="/anki/deck.apkg"' in page and 'method="get"' in page
    assert '<option value="lesson:backups" selected>' in page
    assert 'value="topic:rds"' in page and 'value="all"' in page
    assert 'name="schedule"' not in page  # a visitor has no schedule
    assert "Log in</a> to include your own scheduling" in page


def test_a_learner_may_include_their_scheduling(learner_client, lesson):
    page = learner_client.get("/anki/").content.decode()
    assert 'name="schedule"' in page and "Include my scheduling" in page


def test_the_download_is_an_attachment_anki_opens(client, lesson, open_in_anki, settings):
    settings.ALLOWED_HOSTS = ["portal.example"]
    response = client.get("/anki/deck.apkg?scope=lesson:backups", HTTP_HOST="portal.example")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    today = timezone.now().strftime("%Y-%m-%d")
    assert disposition == f'attachment; filename="study-portal-lesson-backups-{today}.apkg"'
    collection = open_in_anki(response.content)
    (note,) = notes_by_guid(collection).values()
    # The link back is absolute, built from the request's own host.
    assert note["Lesson"] == (
        '<a href="http://portal.example/lessons/backups/#first-part">Read this in the lesson</a>'
    )


def test_a_learners_scheduled_download_is_never_cached(learner_client, learner, lesson):
    prompt = Prompt.objects.get(card__lesson=lesson)
    grade_now(learner, prompt, 3, timezone.now() - dt.timedelta(minutes=5))
    response = learner_client.get("/anki/deck.apkg?scope=all&schedule=on")
    assert response["Cache-Control"] == "private, no-store"
    assert "-scheduled-" in response["Content-Disposition"]


def test_a_visitors_schedule_flag_is_ignored(client, lesson):
    response = client.get("/anki/deck.apkg?scope=all&schedule=on")
    assert response.status_code == 200
    assert "-scheduled-" not in response["Content-Disposition"]


def test_nothing_to_export_is_a_404(client, lesson):
    assert client.get("/anki/deck.apkg?scope=tag:no-such-tag").status_code == 404
    assert client.get("/anki/deck.apkg?scope=lesson:no-such-lesson").status_code == 404


def test_lesson_page_and_dashboard_link_to_the_export(client, learner_client, lesson):
    link = 'href="/anki/?scope=lesson:backups"'
    assert link in client.get("/lessons/backups/").content.decode()
    assert link in learner_client.get("/lessons/backups/").content.decode()
    assert 'href="/anki/"' in learner_client.get("/progress/").content.decode()


def test_a_scope_over_the_limit_shows_the_page_saying_so(client, lesson, monkeypatch):
    monkeypatch.setattr("decks.views.EXPORT_MAX_PROMPTS", 0)
    response = client.get("/anki/deck.apkg?scope=lesson:backups")
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert "more than 0 Anki cards" in response.content.decode()
