from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from flashcards import personal_fsrs
from flashcards.grading import scheduler_for
from flashcards.models import FsrsFit, PromptState, Review, StudySettings
from flashcards.personal_fsrs import (
    MIN_REVIEWS,
    LoggedGrade,
    fit_request,
    fit_run,
    training_histories,
)
from flashcards.scheduling import review
from tests.flashcards.conftest import T0, simulated_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def fitted_learner(learner):
    count = simulated_log(learner, cards=60, days=150)
    assert count >= MIN_REVIEWS
    return learner


def test_reviews_become_histories_per_prompt_in_learner_days():
    auckland = "Pacific/Auckland"  # UTC+13 in January: 11:30 UTC is the next local day
    grades = [
        LoggedGrade(2, 3, T0),
        LoggedGrade(1, 1, T0 + dt.timedelta(minutes=10)),  # same day: history only
        LoggedGrade(1, 3, T0),
        LoggedGrade(1, 3, T0 + dt.timedelta(days=1)),
        LoggedGrade(1, 4, T0 + dt.timedelta(days=4)),
        LoggedGrade(2, 3, T0 + dt.timedelta(hours=2)),
    ]
    assert training_histories(grades, "UTC") == [
        [(3, 0), (1, 0), (3, 1)],
        [(3, 0), (1, 0), (3, 1), (4, 3)],
    ]
    # 09:00 and 11:00 UTC are 22:00 and 00:00 in Auckland: a day apart there.
    assert training_histories(grades, auckland)[-1] == [(3, 0), (3, 1)]


def test_a_fit_changes_the_parameters_and_reports_both_sets_of_figures(fitted_learner):
    job = fit_request(user=fitted_learner, reschedule=False)
    assert job.status == FsrsFit.Status.DONE
    assert job.review_count >= MIN_REVIEWS and job.item_count > 64
    assert job.parameters != pytest.approx(list(DEFAULT_PARAMETERS))
    assert job.fitted_log_loss < job.default_log_loss  # this learner forgets faster
    assert 0 < job.fitted_rmse < job.default_rmse
    assert job.kept_fitted
    assert StudySettings.objects.get(user=fitted_learner).fsrs_parameters == job.parameters
    assert [row["retention"] for row in job.workload] == [0.80, 0.85, 0.90, 0.95]
    per_day = [row["reviews_per_day"] for row in job.workload]
    assert per_day == sorted(per_day)  # higher retention, more reviews


def test_the_better_of_default_and_fitted_is_kept(fitted_learner, monkeypatch):
    worse = personal_fsrs.Metrics(log_loss=9.0, rmse=0.9)
    real_fit = personal_fsrs.fit
    monkeypatch.setattr(personal_fsrs, "fit", lambda items: replace(real_fit(items), fitted=worse))
    StudySettings.objects.create(user=fitted_learner, fsrs_parameters=[0.3] * 21)
    job = fit_request(user=fitted_learner, reschedule=False)
    assert job.status == FsrsFit.Status.DONE and job.kept_fitted is False
    assert StudySettings.objects.get(user=fitted_learner).fsrs_parameters is None
    assert "defaults still predict your reviews better" in job.message


def test_below_the_threshold_it_refuses_and_says_why(learner):
    simulated_log(learner, cards=3, days=30)
    job = fit_request(user=learner, reschedule=True)
    assert job.status == FsrsFit.Status.REFUSED
    assert f"at least {MIN_REVIEWS:,} reviews" in job.message
    assert job.parameters is None
    assert StudySettings.objects.filter(user=learner, fsrs_parameters__isnull=False).count() == 0


def test_a_large_log_waits_for_the_command(fitted_learner, monkeypatch):
    monkeypatch.setattr(personal_fsrs, "IN_REQUEST_MAX_REVIEWS", 100)
    job = fit_request(user=fitted_learner, reschedule=False)
    assert job.status == FsrsFit.Status.QUEUED and job.pending
    assert job.default_log_loss is None


def test_the_scheduler_uses_personal_parameters(learner):
    personal = list(DEFAULT_PARAMETERS)
    personal[2] = 9.0  # the first stability after Good: 9 days rather than 2.3
    settings = StudySettings(user=learner, fsrs_parameters=personal)
    assert scheduler_for(settings).parameters == tuple(personal)
    assert scheduler_for(StudySettings(user=learner)).parameters == tuple(DEFAULT_PARAMETERS)


def test_open_cards_are_rescheduled_only_when_asked(fitted_learner):
    before = {s.prompt_id: (s.due, s.stability, s.version) for s in PromptState.objects.all()}
    fit_request(user=fitted_learner, reschedule=False)
    unchanged = {s.prompt_id: (s.due, s.stability, s.version) for s in PromptState.objects.all()}
    assert unchanged == before

    job = fit_request(user=fitted_learner, reschedule=True)
    assert job.rescheduled == len(before)
    after = {s.prompt_id: (s.due, s.stability, s.version) for s in PromptState.objects.all()}
    assert all(after[p][2] == before[p][2] + 1 for p in before)  # older tokens are stale
    assert sum(after[p][:2] != before[p][:2] for p in before) > len(before) // 2
    # The same replay as py-fsrs's reschedule_card with the kept parameters.
    settings = StudySettings.objects.get(user=fitted_learner)
    scheduler = scheduler_for(settings, fuzz=False)
    state = PromptState.objects.order_by("pk").first()
    memory = None
    for r in Review.objects.filter(prompt=state.prompt).order_by("reviewed_at"):
        memory = review(memory, r.rating, r.reviewed_at, scheduler, state.prompt_id)
    assert (state.due, state.stability) == (memory.due, pytest.approx(memory.stability))


def test_fit_run_handles_a_log_gone_below_the_threshold(learner):
    job = FsrsFit.objects.create(user=learner, requested_at=T0)
    assert fit_run(job=job).status == FsrsFit.Status.REFUSED


def test_the_in_request_bound_is_fast_enough(learner):
    """Near IN_REQUEST_MAX_REVIEWS a fit with a reschedule stays near a second (1.0 s here)."""
    count = simulated_log(learner, cards=94, days=400, seed=5)
    assert (
        personal_fsrs.IN_REQUEST_MAX_REVIEWS * 0.9 < count <= personal_fsrs.IN_REQUEST_MAX_REVIEWS
    )
    started = time.perf_counter()
    job = fit_request(user=learner, reschedule=True)
    assert job.status == FsrsFit.Status.DONE
    assert time.perf_counter() - started < 10  # generous for a slow CI machine


def test_a_job_already_claimed_is_not_fitted_twice(fitted_learner):
    job = FsrsFit.objects.create(user=fitted_learner, requested_at=T0)
    done = fit_run(job=job)
    assert done.status == FsrsFit.Status.DONE and done.started_at is not None
    again = fit_run(job=FsrsFit.objects.get(pk=job.pk))  # no longer QUEUED
    assert again.finished_at == done.finished_at


def test_a_fit_changes_only_the_parameters_among_the_settings(fitted_learner):
    job = FsrsFit.objects.create(user=fitted_learner, requested_at=T0)
    StudySettings.objects.create(user=fitted_learner, new_per_day=3)
    fit_run(job=job)
    settings = StudySettings.objects.get(user=fitted_learner)
    assert settings.new_per_day == 3 and settings.fsrs_parameters is not None
