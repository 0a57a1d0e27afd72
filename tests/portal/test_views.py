from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_healthz_answers_a_constant_body_without_touching_the_database(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        first = client.get("/healthz")
        second = client.get("/healthz")
    assert first.status_code == 200
    assert first.content == b"ok\n"
    assert second.content == first.content
    assert first["Content-Type"].startswith("text/plain")


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


def test_favicon_ico_redirects_to_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
