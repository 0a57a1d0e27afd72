from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from flashcards.models import StudySettings
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_signup_creates_an_account_and_logs_in(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "newlearner", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newlearner")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert not user.is_staff


def test_signup_rejects_a_short_password_and_says_why(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "newlearner", "password1": "short-pw", "password2": "short-pw"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    assert not get_user_model().objects.filter(username="newlearner").exists()


def test_signup_ignores_an_offsite_next(client):
    response = client.post(
        "/accounts/signup/?next=https://evil.example.com/",
        {"username": "newlearner", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response["Location"] == "/"


def test_login_page_is_styled_like_the_site(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'class="site-header"' in html and 'name="password"' in html


def test_login_and_logout(client, learner):
    response = client.post("/accounts/login/", {"username": "learner", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(learner_client, learner):
    new = "a different long passphrase"
    response = learner_client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.check_password(new)


def test_password_change_needs_login(client):
    response = client.get("/accounts/password/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_lessons_are_readable_without_an_account(client):
    assert client.get("/").status_code == 200


def test_signup_saves_the_browsers_time_zone(client):
    client.post(
        "/accounts/signup/",
        {
            "username": "zoned",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "time_zone": "America/Sao_Paulo",
        },
    )
    settings = StudySettings.objects.get(user__username="zoned")
    assert settings.time_zone == "America/Sao_Paulo"


def test_signup_without_javascript_starts_on_utc(client):
    client.post(
        "/accounts/signup/",
        {"username": "nojs", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert StudySettings.objects.get(user__username="nojs").time_zone == "UTC"


def test_signup_page_loads_the_time_zone_script_from_a_file(client):
    html = client.get("/accounts/signup/").content.decode()
    assert 'name="time_zone"' in html and "js/time_zone" in html
    assert "<script>" not in html  # no inline script: the CSP forbids it


def test_a_long_username_is_shortened_in_the_header_with_the_whole_name_kept(client):
    name = "n" * 150
    client.force_login(make_user(username=name))
    html = client.get("/").content.decode()
    assert f'class="site-nav__user" href="/accounts/password/" title="{name}">{name}</a>' in html
