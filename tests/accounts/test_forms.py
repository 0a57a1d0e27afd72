from __future__ import annotations

import pytest

from accounts.forms import EMAIL_TAKEN, AccountDeleteForm, EmailChangeForm, SignUpForm
from tests.conftest import PASSWORD, make_user, sign_up_data

pytestmark = pytest.mark.django_db


def form_with(time_zone: str | None) -> SignUpForm:
    data = sign_up_data("zoned")
    if time_zone is not None:
        data["time_zone"] = time_zone
    return SignUpForm(data)


def test_a_known_browser_time_zone_is_kept():
    form = form_with("Europe/Helsinki")
    assert form.is_valid() and form.cleaned_data["time_zone"] == "Europe/Helsinki"


@pytest.mark.parametrize("sent", [None, "", "Mars/Olympus_Mons", "../../etc/passwd", "x" * 64])
def test_no_or_an_unknown_time_zone_means_utc_not_an_error(sent):
    form = form_with(sent)
    assert form.is_valid() and form.cleaned_data["time_zone"] == "UTC"


def test_the_time_zone_field_is_hidden_and_marked_for_the_script():
    html = str(SignUpForm()["time_zone"])
    assert 'type="hidden"' in html and "data-browser-time-zone" in html


# Email ------------------------------------------------------------------------------------


def sign_up_form(**data) -> SignUpForm:
    data.setdefault("username", "newcomer")
    data.setdefault("password1", PASSWORD)
    data.setdefault("password2", PASSWORD)
    return SignUpForm(data)


def test_sign_up_requires_an_email_address():
    form = sign_up_form()
    assert not form.is_valid()
    assert form.errors["email"] == ["This field is required."]


def test_sign_up_refuses_an_address_that_is_not_one():
    assert "email" in sign_up_form(email="not an address").errors


def test_sign_up_refuses_an_address_another_account_has_in_any_case():
    make_user(email="Ada@Example.com")
    form = sign_up_form(email="ada@EXAMPLE.COM")
    assert not form.is_valid()
    assert form.errors["email"] == [EMAIL_TAKEN]


def test_sign_up_saves_the_address_with_its_domain_in_lower_case():
    form = sign_up_form(email="Ada@Example.COM")
    assert form.is_valid()
    assert form.save().email == "Ada@example.com"


def change_form(user, **data) -> EmailChangeForm:
    data.setdefault("current_password", PASSWORD)
    return EmailChangeForm(data, user=user)


def test_changing_the_email_needs_the_current_password():
    user = make_user(email="old@example.com")
    form = change_form(user, email="new@example.com", current_password="not the password")
    assert not form.is_valid()
    assert form.errors["current_password"] == ["Your current password was entered incorrectly."]
    assert change_form(user, email="new@example.com").is_valid()


def test_changing_the_email_refuses_another_accounts_address_in_any_case():
    make_user(email="taken@example.com")
    form = change_form(make_user(), email="TAKEN@example.com")
    assert form.errors["email"] == [EMAIL_TAKEN]


def test_changing_only_the_case_of_ones_own_address_is_allowed():
    user = make_user(email="mine@example.com")
    assert change_form(user, email="Mine@example.com").is_valid()


def test_deleting_needs_the_password():
    user = make_user()
    assert not AccountDeleteForm({"password": "wrong"}, user=user).is_valid()
    assert not AccountDeleteForm({}, user=user).is_valid()
    assert AccountDeleteForm({"password": PASSWORD}, user=user).is_valid()
