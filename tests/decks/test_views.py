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


def _image(data: bytes = b"\x89PNG\r\n\x1a\nrest"):
    import hashlib

    from decks.models import DeckImage

    sha = hashlib.sha256(data).hexdigest()
    return DeckImage.objects.create(sha256=sha, content_type="image/png", size=len(data), data=data)


def test_an_imported_image_is_served_by_its_hash_cached_forever(client):
    image = _image()
    response = client.get(f"/anki/media/{image.sha256}.png")
    assert response.status_code == 200
    assert response.content == b"\x89PNG\r\n\x1a\nrest"
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["ETag"] == f'"{image.sha256}"'
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "img-src 'self'" in response["Content-Security-Policy"]
    again = client.get(
        f"/anki/media/{image.sha256}.png", headers={"If-None-Match": response["ETag"]}
    )
    assert again.status_code == 304 and again.content == b""


def test_an_image_signed_in_readers_see_is_cached_too(learner_client):
    image = _image()
    response = learner_client.get(image.get_absolute_url())
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "path",
    [
        "/anki/media/{sha}.jpg",  # the wrong type for its bytes
        "/anki/media/" + "0" * 64 + ".png",  # no such image
        "/anki/media/{sha}.svg",
        "/anki/media/../{sha}.png",
    ],
)
def test_anything_else_under_media_is_not_found(client, path):
    image = _image()
    assert client.get(path.format(sha=image.sha256)).status_code == 404


def test_the_image_view_answers_get_and_head_only(client):
    image = _image()
    assert client.post(image.get_absolute_url()).status_code == 405
    assert client.head(image.get_absolute_url()).status_code == 200
