"""Granting and revoking the instructor role: the Instructors group and staff status."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from accounts.forms import SignUpForm
from accounts.services import (
    INSTRUCTORS_GROUP,
    instructor_grant,
    instructor_revoke,
    learner_sign_up,
)
from flashcards.models import StudySettings
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def reloaded(user):
    return get_user_model().objects.get(pk=user.pk)


def test_a_grant_gives_staff_status_and_the_groups_content_permissions():
    user = make_user()
    instructor_grant(user=user)
    user = reloaded(user)
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == [INSTRUCTORS_GROUP]
    assert user.has_perm("lessons.change_lesson") and user.has_perm("flashcards.add_card")
    assert not user.has_perm("auth.change_user")


def test_granting_twice_is_harmless():
    user = make_user()
    instructor_grant(user=user)
    instructor_grant(user=user)
    assert reloaded(user).groups.count() == 1


def test_a_revoke_takes_away_the_group_and_staff_status():
    user = make_user()
    instructor_grant(user=user)
    instructor_revoke(user=user)
    user = reloaded(user)
    assert not user.is_staff and not user.groups.exists()
    assert not user.has_perm("lessons.change_lesson")


def test_a_superuser_keeps_staff_status_when_the_role_is_revoked():
    admin = get_user_model().objects.create_superuser(username="root", password="x" * 12)
    instructor_grant(user=admin)
    instructor_revoke(user=admin)
    admin = reloaded(admin)
    assert admin.is_staff and admin.is_superuser
    assert not admin.groups.exists()


def test_learner_sign_up_creates_study_settings_in_the_given_time_zone(db):
    form = SignUpForm(
        {"username": "z", "password1": PASSWORD, "password2": PASSWORD, "time_zone": "Asia/Tokyo"}
    )
    assert form.is_valid()
    user = learner_sign_up(form=form)
    assert StudySettings.objects.get(user=user).time_zone == "Asia/Tokyo"
