from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.forms import EMAIL_TAKEN
from accounts.models import Session
from backups.progress import progress_export
from flashcards.models import Review, StudySettings
from tests.conftest import PASSWORD, grade_now, make_card, make_user, sign_up_data

pytestmark = pytest.mark.django_db


def test_signup_creates_an_account_and_logs_in(client):
    response = client.post(
        "/accounts/signup/",
        sign_up_data("newlearner"),
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newlearner")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert not user.is_staff


def test_signup_rejects_a_short_password_and_says_why(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newlearner",
            "email": "newlearner@example.com",
            "password1": "short-pw",
            "password2": "short-pw",
        },
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    assert not get_user_model().objects.filter(username="newlearner").exists()


def test_signup_ignores_an_offsite_next(client):
    response = client.post(
        "/accounts/signup/?next=https://evil.example.com/",
        sign_up_data("newlearner"),
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
        sign_up_data("zoned", time_zone="America/Sao_Paulo"),
    )
    settings = StudySettings.objects.get(user__username="zoned")
    assert settings.time_zone == "America/Sao_Paulo"


def test_signup_without_javascript_starts_on_utc(client):
    client.post(
        "/accounts/signup/",
        sign_up_data("nojs"),
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
    assert f'class="site-nav__user" href="/accounts/" title="{name}">{name}</a>' in html


# Email at sign-up -------------------------------------------------------------------------


def test_signup_without_an_email_address_says_it_is_needed(client):
    response = client.post(
        "/accounts/signup/",
        sign_up_data("newcomer", email=""),
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not get_user_model().objects.filter(username="newcomer").exists()


def test_signup_with_another_accounts_address_says_so(client):
    make_user(email="ada@example.com")
    response = client.post(
        "/accounts/signup/",
        sign_up_data("newcomer", email="ADA@example.com"),
    )
    assert EMAIL_TAKEN in response.content.decode()
    assert not get_user_model().objects.filter(username="newcomer").exists()


def test_signup_saves_the_email_address(client):
    client.post(
        "/accounts/signup/",
        sign_up_data("newcomer", email="new@example.com"),
    )
    assert get_user_model().objects.get(username="newcomer").email == "new@example.com"


# The account page ---------------------------------------------------------------------------


def test_the_header_links_the_username_to_the_account_page(learner_client):
    assert 'class="site-nav__user" href="/accounts/"' in learner_client.get("/").content.decode()


def test_the_account_page_shows_who_you_are_and_links_to_the_rest(client):
    client.force_login(make_user(username="ada", email="ada@example.com"))
    html = client.get("/accounts/").content.decode()
    assert "<dd>ada</dd>" in html and "<dd>ada@example.com</dd>" in html
    for link in ("/accounts/password/", "/study/settings/", "/accounts/progress.json"):
        assert f'href="{link}"' in html
    assert 'href="/accounts/delete/"' in html
    assert 'id="email-missing"' not in html


def test_an_account_without_an_email_is_asked_for_one_but_not_blocked(client):
    client.force_login(make_user(email=""))
    html = client.get("/accounts/").content.decode()
    assert 'id="email-missing"' in html and "Add an email address" in html
    assert client.get("/study/").status_code == 200  # a notice, never a block


def test_staff_are_not_offered_deletion_on_the_account_page(client, instructor):
    client.force_login(instructor)
    assert 'href="/accounts/delete/"' not in client.get("/accounts/").content.decode()


def test_changing_the_email_without_javascript(client):
    user = make_user(email="old@example.com")
    client.force_login(user)
    response = client.post(
        "/accounts/", {"email": "new@example.com", "current_password": PASSWORD}, follow=True
    )
    assert response.redirect_chain == [("/accounts/", 302)]
    assert "Your email address is changed." in response.content.decode()
    user.refresh_from_db()
    assert user.email == "new@example.com"


def test_changing_the_email_with_a_wrong_password_changes_nothing(client):
    user = make_user(email="old@example.com")
    client.force_login(user)
    response = client.post("/accounts/", {"email": "new@example.com", "current_password": "no"})
    assert response.status_code == 200
    assert "Your current password was entered incorrectly." in response.content.decode()
    user.refresh_from_db()
    assert user.email == "old@example.com"


# Download my progress --------------------------------------------------------------------------


@pytest.fixture
def two_studied_learners():
    mine, theirs = make_user(username="mine"), make_user(username="theirs")
    now = timezone.now()
    grade_now(mine, make_card().prompts.get(), 3, now)
    for _ in range(2):
        grade_now(theirs, make_card().prompts.get(), 3, now)
    return mine, theirs


def test_download_is_the_learners_own_progress_file(client, two_studied_learners):
    mine, _theirs = two_studied_learners
    client.force_login(mine)
    response = client.get("/accounts/progress.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="progress-mine-')
    data = json.loads(response.content)
    expected = progress_export(user=mine)
    assert data["username"] == "mine" and data["format"] == expected["format"]
    assert data["reviews"] == expected["reviews"] and len(data["reviews"]) == 1
    assert data["states"] == expected["states"]


def test_download_is_never_cached(learner_client):
    cache_control = learner_client.get("/accounts/progress.json")["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


def test_download_makes_no_query_beyond_the_exports_own(client, two_studied_learners):
    mine, _theirs = two_studied_learners
    client.force_login(mine)
    client.get("/accounts/progress.json")  # the session exists from here on
    with CaptureQueriesContext(connection) as export:
        progress_export(user=mine)
    with CaptureQueriesContext(connection) as download:
        client.get("/accounts/progress.json")
    # The session with its user, read for every signed-in request, and then the export's.
    assert len(download) == 1 + len(export)


def test_download_needs_login(client):
    response = client.get("/accounts/progress.json")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# Delete my account ------------------------------------------------------------------------------


def test_the_delete_page_says_what_goes_and_offers_the_download_first(learner_client):
    html = learner_client.get("/accounts/delete/").content.decode()
    for thing in ("study settings", "review log", "decision trees", "every session"):
        assert thing in html
    assert html.index('href="/accounts/progress.json"') < html.index('name="password"')


def test_deleting_with_a_wrong_password_deletes_nothing(learner_client, learner):
    response = learner_client.post("/accounts/delete/", {"password": "not it"})
    assert response.status_code == 200
    assert "That is not your password; nothing was deleted." in response.content.decode()
    assert get_user_model().objects.filter(pk=learner.pk).exists()


def test_deleting_the_account_without_javascript(client, two_studied_learners):
    mine, theirs = two_studied_learners
    client.force_login(mine)
    old_session = client.session.session_key
    response = client.post("/accounts/delete/", {"password": PASSWORD}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert "The account mine and all its data are deleted." in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert not get_user_model().objects.filter(username="mine").exists()
    assert not Session.objects.filter(session_key=old_session).exists()
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != old_session  # logged out
    assert Review.objects.filter(user=theirs).count() == 2


@pytest.mark.parametrize("who", ["instructor", "superuser"])
def test_staff_are_told_why_and_refused(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    html = client.get("/accounts/delete/").content.decode()
    assert "cannot be deleted from here" in html and 'name="password"' not in html
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 403
    assert get_user_model().objects.filter(pk=user.pk).exists()
