from __future__ import annotations

import pytest

from accounts.forms import SignUpForm
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def form_with(time_zone: str | None) -> SignUpForm:
    data = {"username": "zoned", "password1": PASSWORD, "password2": PASSWORD}
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
