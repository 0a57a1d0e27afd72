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


# -- Bring Anki reviews back (/anki/reviews/) ---------------------------------------------


def _anki_file(data: bytes, name: str = "collection.colpkg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _scheduled_export(client, scope: str) -> bytes:
    response = client.get(f"/anki/deck.apkg?scope={scope}&schedule=on")
    assert response.status_code == 200
    return response.content


def test_a_visitor_is_sent_to_log_in_for_the_reviews_page(client):
    response = client.get("/anki/reviews/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/anki/reviews/")


def test_the_reviews_page_is_an_upload_form_linked_from_the_export_and_dashboard(
    learner_client, lesson
):
    page = learner_client.get("/anki/reviews/").content.decode()
    assert "<h1>Bring Anki reviews back</h1>" in page
    assert 'method="post"' in page and 'enctype="multipart/form-data"' in page
    assert 'type="file" name="package"' in page and "at most 100 MB" in page
    assert "csrfmiddlewaretoken" in page
    assert 'href="/anki/reviews/"' in learner_client.get("/anki/").content.decode()
    assert 'href="/anki/reviews/"' in learner_client.get("/progress/").content.decode()


def test_uploading_reviews_shows_what_was_added(learner_client, learner, lesson):
    from tests.decks.anki_study import one_review_each, package_with_reviews

    data = package_with_reviews(
        _scheduled_export(learner_client, "lesson:backups"),
        one_review_each(dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)),
    )
    response = learner_client.post("/anki/reviews/", {"package": _anki_file(data)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Reviews brought back" in page
    assert "<dt>Reviews added</dt><dd>1</dd>" in page
    assert "<dt>Already here</dt><dd>0</dd>" in page
    assert "20 November 2026" in page and 'href="/progress/"' in page
    again = learner_client.post("/anki/reviews/", {"package": _anki_file(data)})
    page = again.content.decode()
    assert "Nothing new to bring back" in page and "<dt>Already here</dt><dd>1</dd>" in page


def test_the_reviews_page_says_when_more_reviews_wait_for_another_upload(
    learner_client, learner, lesson, monkeypatch
):
    from tests.decks.anki_study import one_review_each, package_with_reviews

    monkeypatch.setattr("decks.reviews.MAX_REPLAYED_REVIEWS", 1)
    monkeypatch.setattr("decks.views.MAX_REPLAYED_REVIEWS", 1)
    answers = one_review_each(dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC))
    later = one_review_each(dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC))
    data = package_with_reviews(
        _scheduled_export(learner_client, "lesson:backups"),
        lambda card_ids: answers(card_ids[:1]) + later(card_ids[:1]),
    )
    page = learner_client.post("/anki/reviews/", {"package": _anki_file(data)}).content.decode()
    assert "<dt>Reviews added</dt><dd>1</dd>" in page
    assert "1 more review is still to come" in page
    assert "one upload replays at most 1 reviews" in page
    assert "Upload the same file again" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip at all", "collection.colpkg: is not an Anki package"),
        (b"PK\x05\x06" + b"\x00" * 18, "collection.colpkg: "),
    ],
)
def test_a_damaged_or_foreign_file_is_refused_and_nothing_saved(
    learner_client, lesson, data, message
):
    from flashcards.models import Review

    response = learner_client.post("/anki/reviews/", {"package": _anki_file(data)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was saved" in page and message in page and 'role="alert"' in page
    assert not Review.objects.exists()


def test_an_upload_over_the_limit_is_refused_by_its_size(learner_client, lesson, monkeypatch):
    from decks import forms

    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 10)
    response = learner_client.post("/anki/reviews/", {"package": _anki_file(b"x" * 11, "big.apkg")})
    assert "big.apkg is 11\xa0bytes: upload at most 100 MB" in response.content.decode()


def test_a_post_without_a_file_asks_for_one(learner_client, lesson):
    response = learner_client.post("/anki/reviews/", {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_done_means_three_days_in_anki_show_in_the_heatmap_and_schedule(
    bundled_content, learner, client, open_in_anki, tmp_path
):
    """The issue's "Done means": a learner exports the RDS & Aurora deck, studies it for three
    days in Anki, brings the reviews back; the dashboard's heatmap shows those three days (in
    the learner's time zone) and each card is scheduled as FSRS would have."""
    from flashcards.grading import states_rebuild
    from flashcards.models import PromptState, Review, StudySettings
    from tests.decks.anki_study import study_in_anki
    from tests.decks.conftest import COLPKG, export

    StudySettings.objects.create(user=learner, time_zone="Pacific/Auckland")
    client.force_login(learner)
    collection = open_in_anki(
        _scheduled_export(client, "topic:amazon-rds-aurora"), with_scheduling=True
    )
    zone = dt.timezone(dt.timedelta(hours=13))  # Auckland in (southern) summer
    today = timezone.now().astimezone(zone).date()
    days = [today - dt.timedelta(days=n) for n in (5, 4, 2)]
    for day in days:
        # 07:30 in Auckland is the evening before in UTC: the heatmap must count local days.
        morning = dt.datetime.combine(day, dt.time(7, 30), tzinfo=zone)
        study_in_anki(collection, at=morning, answers=15, ratings=(3, 3, 1, 4))
    response = client.post(
        "/anki/reviews/", {"package": _anki_file(export(collection, tmp_path, COLPKG))}
    )
    assert "<dt>Reviews added</dt><dd>45</dd>" in response.content.decode()

    board = client.get("/progress/").context["board"]
    heat = {cell.day: cell.reviews for cell in board.heatmap.cells if cell.reviews}
    assert heat == dict.fromkeys(days, 15)
    assert board.year_reviews == 45
    states = {s.prompt_id: s for s in PromptState.objects.filter(user=learner)}
    assert len(states) == Review.objects.filter(user=learner).values("prompt").distinct().count()
    fields = [f.name for f in PromptState._meta.fields if f.name != "id"]
    before = {pk: [getattr(s, f) for f in fields] for pk, s in states.items()}
    states_rebuild(user=learner)
    after = {
        s.prompt_id: [getattr(s, f) for f in fields]
        for s in PromptState.objects.filter(user=learner)
    }
    assert after == before


def test_a_grade_while_the_file_was_read_asks_to_upload_again(learner_client, lesson, monkeypatch):
    from decks import views
    from decks.reviews import StudiedMeanwhile
    from tests.decks.anki_study import one_review_each, package_with_reviews

    def studied_meanwhile(**kwargs):
        raise StudiedMeanwhile

    monkeypatch.setattr(views, "anki_reviews_import", studied_meanwhile)
    data = package_with_reviews(
        _scheduled_export(learner_client, "lesson:backups"),
        one_review_each(dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)),
    )
    page = learner_client.post("/anki/reviews/", {"package": _anki_file(data)}).content.decode()
    assert "nothing was saved. Upload the file again." in page and 'role="alert"' in page
