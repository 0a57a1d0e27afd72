"""`manage.py fit_fsrs`: whom it fits, the queue it drains, and what it refuses."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from flashcards import personal_fsrs
from flashcards.models import FsrsFit, PromptState, StudySettings
from flashcards.personal_fsrs import fit_request
from tests.conftest import make_user
from tests.flashcards.conftest import simulated_log

pytestmark = pytest.mark.django_db


def fit_fsrs(*args) -> str:
    out = StringIO()
    call_command("fit_fsrs", *args, stdout=out)
    return out.getvalue()


def test_a_named_learner_is_fitted_and_the_figures_printed():
    ann = make_user(username="ann")
    simulated_log(ann, cards=60, days=150)
    versions = set(PromptState.objects.values_list("version", flat=True))
    out = fit_fsrs("ann")
    assert out.startswith("ann: ") and "log loss" in out and "fitted parameters kept" in out
    assert StudySettings.objects.get(user=ann).fsrs_parameters is not None
    assert set(PromptState.objects.values_list("version", flat=True)) == versions  # untouched
    assert "cards rescheduled" in fit_fsrs("ann", "--reschedule")


def test_all_fits_only_learners_with_enough_reviews():
    ann, bob = make_user(username="ann"), make_user(username="bob")
    simulated_log(ann, cards=60, days=150)
    simulated_log(bob, cards=2, days=20)
    assert [line.split(":")[0] for line in fit_fsrs("--all").splitlines()] == ["ann"]


def test_queued_runs_the_fits_learners_asked_for(monkeypatch):
    ann = make_user(username="ann")
    simulated_log(ann, cards=60, days=150)
    monkeypatch.setattr(personal_fsrs, "IN_REQUEST_MAX_REVIEWS", 10)
    assert fit_request(user=ann, reschedule=True).status == FsrsFit.Status.QUEUED
    out = fit_fsrs("--queued")
    assert "ann: " in out and "cards rescheduled" in out  # what the learner asked for
    assert FsrsFit.objects.get(user=ann).status == FsrsFit.Status.DONE
    assert fit_fsrs("--queued") == ""  # nothing left


@pytest.mark.parametrize("args", [(), ("--all", "ann"), ("--queued", "--all")])
def test_it_needs_exactly_one_of_names_all_or_queued(args):
    with pytest.raises(CommandError, match="Name one or more users"):
        fit_fsrs(*args)


def test_a_missing_user_is_named():
    with pytest.raises(CommandError, match="No such user: nobody"):
        fit_fsrs("nobody")
