"""The study settings form: each setting within its bounds, an exam date ahead of today."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flashcards.forms import StudySettingsForm, time_zone_choices
from flashcards.models import StudySettings

pytestmark = pytest.mark.django_db

BASE = {
    "desired_retention": 0.9,
    "maximum_interval": 36500,
    "new_per_day": 20,
    "learn_ahead_minutes": 20,
    "time_zone": "UTC",
}


def errors(learner, **changes) -> dict:
    form = StudySettingsForm({**BASE, **changes}, instance=StudySettings(user=learner))
    form.is_valid()
    return form.errors


def test_the_settings_form_refuses_an_exam_date_that_is_not_ahead(learner):
    instance = StudySettings(user=learner)
    past = StudySettingsForm({**BASE, "exam_date": "2020-01-01"}, instance=instance)
    assert not past.is_valid()
    assert past.errors["exam_date"] == ["Choose a day after today, or leave it empty."]
    ahead = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=40)).isoformat()
    form = StudySettingsForm({**BASE, "exam_date": ahead}, instance=instance)
    assert form.is_valid(), form.errors
    form.save()
    assert StudySettings.objects.get(user=learner).exam_date.isoformat() == ahead
    assert StudySettingsForm({**BASE, "exam_date": ""}, instance=instance).is_valid()


def test_today_is_the_learners_today_in_the_zone_they_choose(learner, monkeypatch):
    # 11:30 UTC on 2 March is already 00:30 on 3 March in Auckland.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 2, 11, 30, tzinfo=dt.UTC))
    assert not errors(learner, exam_date="2026-03-03")
    assert "exam_date" in errors(learner, exam_date="2026-03-03", time_zone="Pacific/Auckland")
    assert not errors(learner, exam_date="2026-03-04", time_zone="Pacific/Auckland")


@pytest.mark.parametrize(
    ("field", "refused", "accepted"),
    [
        ("desired_retention", (0.69, 0.995, 1), (0.7, 0.85, 0.99)),
        ("maximum_interval", (0, 36501), (1, 36500)),
        ("new_per_day", (10000,), (0, 9999)),
        ("learn_ahead_minutes", (-1, 1441), (0, 20, 1440)),
    ],
)
def test_each_setting_is_kept_within_its_bounds(learner, field, refused, accepted):
    for value in refused:
        assert field in errors(learner, **{field: value}), value
    for value in accepted:
        assert not errors(learner, **{field: value}), value


def test_the_time_zone_is_one_of_the_named_zones(learner):
    assert "time_zone" in errors(learner, time_zone="Mars/Olympus_Mons")
    assert not errors(learner, time_zone="America/New_York")


def test_time_zones_are_offered_sorted_with_spaces_for_underscores():
    choices = time_zone_choices()
    assert ("America/New_York", "America/New York") in choices
    assert [name for name, _label in choices] == sorted(name for name, _label in choices)


def test_the_bury_settings_are_checkboxes_and_unticked_means_off(learner):
    form = StudySettingsForm(
        {**BASE, "bury_new_siblings": "on"}, instance=StudySettings(user=learner)
    )
    assert form.is_valid(), form.errors
    saved = form.save()
    assert (saved.bury_new_siblings, saved.bury_review_siblings) == (True, False)


def test_saving_the_form_leaves_what_another_tab_changed_meanwhile(learner):
    """A fit of personal FSRS or a custom study "+N" between reading and saving the form."""
    StudySettings.objects.create(user=learner)
    form = StudySettingsForm({**BASE, "new_per_day": 7}, instance=StudySettings.objects.get())
    assert form.is_valid(), form.errors
    parameters = [0.5] * 21
    StudySettings.objects.update(
        fsrs_parameters=parameters, scope_new_cards={"lesson:a": {"limit": 3}}
    )
    form.save()
    saved = StudySettings.objects.get()
    assert saved.new_per_day == 7
    assert saved.fsrs_parameters == parameters
    assert saved.scope_new_cards == {"lesson:a": {"limit": 3}}
