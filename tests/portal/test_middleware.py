"""Signed-in responses are never stored by a browser; anonymous ones keep their headers."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, make_card, make_lesson

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
NOT_STORED = "private, no-store"


def test_signed_in_pages_fragments_and_redirects_are_not_stored(learner_client):
    lesson = make_lesson(slug="kms")
    make_card(lesson=lesson)
    for path in ("/", "/lessons/kms/", "/study/", "/progress/"):
        response = learner_client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == NOT_STORED, path
    fragment = learner_client.get("/study/", **HTMX)
    assert "<html" not in fragment.content.decode()
    assert fragment["Cache-Control"] == NOT_STORED
    redirect = learner_client.post("/study/grade/", {"token": "nope", "rating": 3})
    assert redirect["Cache-Control"] == NOT_STORED  # a refusal is private too
    assert learner_client.get("/no-such-page/")["Cache-Control"] == NOT_STORED
    # A view that never reads the session answers everyone alike, and is left as it is.
    assert "Cache-Control" not in learner_client.get("/healthz")


def test_anonymous_pages_are_not_marked_private(client):
    make_lesson(slug="kms")
    for path in ("/", "/lessons/kms/", "/trees/"):
        # The reading pages' own `no-cache` (pagecache: keep, but revalidate), never no-store.
        assert client.get(path)["Cache-Control"] == "no-cache", path
    # Django's log-in view sends its own never-cache headers; they are left as they are.
    assert "max-age=0" in client.get("/accounts/login/")["Cache-Control"]


def test_the_log_in_answer_is_marked_and_the_log_out_answer_is_not(client, learner):
    signed_in = client.post(
        "/accounts/login/", {"username": learner.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 302 and signed_in["Cache-Control"] == NOT_STORED
    signed_out = client.post("/accounts/logout/")  # Django's own never-cache headers
    assert signed_out.status_code == 302 and signed_out["Cache-Control"] != NOT_STORED
