"""A password made of one repeated word (or shorter unit) is refused, with a clear message."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    validate_password,
)
from django.core.exceptions import ValidationError

from accounts.passwords import RepeatedUnitPasswordValidator

REPEATED = "This password is one word repeated, which is as easy to guess as the word."


@pytest.mark.parametrize(
    "password",
    ["passwordpassword", "Password-Password", "abcabcabcabc", "zzzzzzzzzzzz", "kms kms kms kms"],
)
def test_one_unit_repeated_is_refused(password):
    with pytest.raises(ValidationError, match=REPEATED):
        RepeatedUnitPasswordValidator().validate(password)


@pytest.mark.parametrize(
    "password", ["blue-otter77", "passwordpassword1", "correct horse battery", "abcabcabcabd"]
)
def test_anything_else_passes(password):
    RepeatedUnitPasswordValidator().validate(password)


@pytest.mark.django_db
def test_the_site_refuses_passwordpassword_at_signup(client):
    # Django's own validators let it through: 16 characters, and not in the common list.
    django_own = [
        validator
        for validator in get_default_password_validators()
        if not isinstance(validator, RepeatedUnitPasswordValidator)
    ]
    validate_password("passwordpassword", password_validators=django_own)
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newcomer",
            "email": "newcomer@example.com",
            "password1": "passwordpassword",
            "password2": "passwordpassword",
        },
    )
    assert response.status_code == 200 and REPEATED in response.content.decode()
    assert not get_user_model().objects.filter(username="newcomer").exists()
