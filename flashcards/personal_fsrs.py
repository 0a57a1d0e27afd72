"""Personal FSRS: fit FSRS's parameters to one learner's review log, with fsrs-rs-python.

The fitting, the evaluation and the workload simulation are fsrs-rs's own (the Rust library
Anki uses), through its Python bindings; py-fsrs's Optimizer would need PyTorch. Scheduling
stays with py-fsrs (flashcards/scheduling.py), which takes the same 21 FSRS-6 parameters.

The threshold, MIN_REVIEWS = 400: fsrs-rs itself returns the default parameters for fewer
than 8 training items and fits only the four initial stabilities for fewer than 64
(fsrs-rs src/training.rs, `compute_parameters`); 400 reviews give about 270 items (two in
three reviews come a day or more after the last), well past a full fit. Anki, which wraps
fsrs-rs, refused below 1,000 reviews when it adopted FSRS (23.10); that would keep a learner
of the bundled deck waiting for months, and a fit is kept only if it predicts their log
better than the defaults, so a smaller threshold cannot make a schedule worse on that log.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from itertools import groupby

import fsrs_rs_python as fsrs_rs
from django.db import transaction
from django.utils import timezone
from fsrs import Rating, ReviewLog
from fsrs.scheduler import (
    DEFAULT_PARAMETERS,
    LOWER_BOUNDS_PARAMETERS,
    UPPER_BOUNDS_PARAMETERS,
)

from flashcards.days import local_date
from flashcards.grading import scheduler_for
from flashcards.models import FsrsFit, Prompt, PromptState, Review, StudySettings
from flashcards.scheduling import Memory

MIN_REVIEWS = 400
# A log up to this size is fitted inside the request. Near this bound (2,911 reviews) the
# whole fit (reading the log, converting, fitting, evaluating twice, simulating) took 0.09 s
# on an idle 2-core machine, 0.20 s with the reschedule, which replays every review through
# py-fsrs; 0.3 s and 1.0 s with the machine loaded about 7 times over (docs/NOTES.md). A
# larger log waits for `manage.py fit_fsrs --queued`.
IN_REQUEST_MAX_REVIEWS = 3_000
WORKLOAD_RETENTIONS = (0.80, 0.85, 0.90, 0.95)
WORKLOAD_DAYS = 365
NOT_ENOUGH = (
    "Personal FSRS needs at least {minimum:,} reviews; you have {count:,}. Until then FSRS's "
    "defaults, fitted to millions of reviews, predict your memory better than a fit could."
)
FIT_QUEUED = (
    "Your log is large, so the fit runs in the background; this page shows when it is done."
)


@dataclass(frozen=True)
class LoggedGrade:
    prompt_id: int
    rating: int
    reviewed_at: dt.datetime


@dataclass(frozen=True)
class Metrics:
    log_loss: float
    rmse: float


@dataclass(frozen=True)
class FitOutcome:
    parameters: list[float]
    default: Metrics
    fitted: Metrics
    item_count: int

    @property
    def fitted_is_better(self) -> bool:
        # Log loss is what the fit minimises; RMSE (binned) is shown beside it.
        return self.fitted.log_loss < self.default.log_loss


class NotEnoughReviews(ValueError):
    pass


def training_histories(grades: list[LoggedGrade], time_zone: str) -> list[list[tuple[int, int]]]:
    """The learner's log as fsrs-rs's training items, each a list of (rating, days) steps.

    One item per review that came a day or more after the one before it: the prompt's history
    up to and including that review, each step as (rating, whole learner days since the
    previous review; 0 for the first and for same-day steps). The last step is what the model
    learns to predict, so same-day steps only ever appear as history, as in Anki; fsrs-rs's
    evaluation refuses an item that ends on one. `grades` may come in any order.
    """
    histories = []
    ordered = sorted(grades, key=lambda g: (g.prompt_id, g.reviewed_at))
    for _prompt, group in groupby(ordered, key=lambda g: g.prompt_id):
        steps: list[tuple[int, int]] = []
        previous: dt.date | None = None
        for grade in group:
            day = local_date(grade.reviewed_at, time_zone)
            days = 0 if previous is None else (day - previous).days
            steps.append((grade.rating, days))
            previous = day
            if len(steps) > 1 and days > 0:
                histories.append(list(steps))
    return histories


def training_items(histories: list[list[tuple[int, int]]]) -> list[fsrs_rs.FSRSItem]:
    return [
        fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(rating, days) for rating, days in history])
        for history in histories
    ]


def within_bounds(parameters) -> list[float]:
    """The parameters clamped to py-fsrs's bounds (it refuses any outside them); fsrs-rs's
    float32 results can land a rounding error past a bound."""
    return [
        min(max(float(value), low), high)
        for value, low, high in zip(
            parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True
        )
    ]


def evaluate(parameters, items: list[fsrs_rs.FSRSItem]) -> Metrics:
    result = fsrs_rs.FSRS(list(parameters)).evaluate(items)
    return Metrics(log_loss=result.log_loss, rmse=result.rmse_bins)


def fit(items: list[fsrs_rs.FSRSItem]) -> FitOutcome:
    """Fit FSRS to `items` and measure the defaults and the fit on the same items."""
    fitted = within_bounds(fsrs_rs.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(items))
    return FitOutcome(
        parameters=fitted,
        default=evaluate(DEFAULT_PARAMETERS, items),
        fitted=evaluate(fitted, items),
        item_count=len(items),
    )


def workload(parameters, deck_size: int) -> list[dict]:
    """fsrs-rs's simulation of a year with `deck_size` cards (20 new a day) at each of
    WORKLOAD_RETENTIONS: reviews a day, minutes a day, cards remembered at the end.

    fsrs-rs's `optimal_retention` also exists, but on every deck tried here it answered its
    own lower bound (0.70), which is no advice; the table lets the learner weigh the cost.
    """
    config = fsrs_rs.default_simulator_config()
    config.deck_size = max(1, deck_size)
    config.learn_span = WORKLOAD_DAYS
    config.learn_limit = 20
    config.review_limit = 10_000
    rows = []
    for retention in WORKLOAD_RETENTIONS:
        result = fsrs_rs.simulate(list(parameters), retention, config, 1)
        rows.append(
            {
                "retention": retention,
                "reviews_per_day": sum(result.review_cnt_per_day) / WORKLOAD_DAYS,
                "minutes_per_day": sum(result.cost_per_day) / WORKLOAD_DAYS / 60,
                "remembered": result.memorized_cnt_per_day[-1],
            }
        )
    return rows


def logged_grades(user) -> list[LoggedGrade]:
    rows = Review.objects.filter(user=user).values_list("prompt_id", "rating", "reviewed_at")
    return [LoggedGrade(*row) for row in rows.iterator()]


def fit_request(*, user, reschedule: bool, now: dt.datetime | None = None) -> FsrsFit:
    """The learner asks for a fit: refused below MIN_REVIEWS, run now up to
    IN_REQUEST_MAX_REVIEWS, queued for `fit_fsrs --queued` beyond."""
    now = now or timezone.now()
    count = Review.objects.filter(user=user).count()
    job, _ = FsrsFit.objects.update_or_create(
        user=user,
        defaults={
            "status": FsrsFit.Status.QUEUED,
            "reschedule": reschedule,
            "requested_at": now,
            "started_at": None,
            "finished_at": None,
            "review_count": count,
            "message": "",
        },
    )
    if count < MIN_REVIEWS:
        return _finish(
            job, FsrsFit.Status.REFUSED, now, NOT_ENOUGH.format(minimum=MIN_REVIEWS, count=count)
        )
    if count <= IN_REQUEST_MAX_REVIEWS:
        return fit_run(job=job, now=now)
    return job


def fit_run(*, job: FsrsFit, now: dt.datetime | None = None) -> FsrsFit:
    """Fit, keep the better of default and fitted parameters, reschedule if asked.

    The job is claimed first (QUEUED to RUNNING in one UPDATE), so two `fit_fsrs --queued`
    runs that overlap never fit the same request twice; the loser returns it unchanged.
    """
    now = now or timezone.now()
    user = job.user
    queued = FsrsFit.objects.filter(pk=job.pk, status=FsrsFit.Status.QUEUED)
    if not queued.update(status=FsrsFit.Status.RUNNING, started_at=now):
        job.refresh_from_db()
        return job
    job.status, job.started_at = FsrsFit.Status.RUNNING, now
    started = time.perf_counter()
    study_settings = StudySettings.objects.filter(user=user).first() or StudySettings(user=user)
    grades = logged_grades(user)
    job.review_count = len(grades)
    if len(grades) < MIN_REVIEWS:
        message = NOT_ENOUGH.format(minimum=MIN_REVIEWS, count=len(grades))
        return _finish(job, FsrsFit.Status.REFUSED, now, message)
    items = training_items(training_histories(grades, study_settings.time_zone))
    try:
        outcome = fit(items)
    except ValueError as error:  # fsrs-rs: InvalidInput, NotEnoughData
        return _finish(job, FsrsFit.Status.FAILED, now, f"The fit failed ({error}).")
    kept = outcome.parameters if outcome.fitted_is_better else None
    job.item_count = outcome.item_count
    job.default_log_loss, job.default_rmse = outcome.default.log_loss, outcome.default.rmse
    job.fitted_log_loss, job.fitted_rmse = outcome.fitted.log_loss, outcome.fitted.rmse
    job.parameters = outcome.parameters
    job.kept_fitted = kept is not None
    deck_size = Prompt.objects.studyable(user).count()
    job.workload = workload(kept or DEFAULT_PARAMETERS, deck_size)
    with transaction.atomic():
        # Only this field: the learner may have changed other settings while a fit waited.
        study_settings, _ = StudySettings.objects.update_or_create(
            user=user, defaults={"fsrs_parameters": kept}
        )
        job.rescheduled = (
            cards_reschedule(user=user, study_settings=study_settings) if job.reschedule else None
        )
    seconds = time.perf_counter() - started
    message = (
        "Your fitted parameters predict your reviews better, and are now in use."
        if kept
        else "FSRS's defaults still predict your reviews better, so they stay in use."
    )
    return _finish(job, FsrsFit.Status.DONE, now, f"{message} ({seconds:.1f} s)")


def _finish(job: FsrsFit, status: str, now: dt.datetime, message: str) -> FsrsFit:
    job.status = status
    job.finished_at = now if status == FsrsFit.Status.REFUSED else timezone.now()
    job.message = message
    job.save()
    return job


def parameters_reset(*, user) -> None:
    """Back to FSRS's defaults (open cards keep their dates until reviewed)."""
    StudySettings.objects.filter(user=user).update(fsrs_parameters=None)


def cards_reschedule(*, user, study_settings: StudySettings) -> int:
    """Replay each studied prompt's log through the learner's scheduler (py-fsrs's
    `reschedule_card`), as if these parameters had always been used: new stability,
    difficulty and due date; counters and the log stay. Returns the prompts rescheduled.

    Without fuzz, so the same log and parameters always give the same dates. Each state's
    version moves on, so a card shown before the reschedule cannot be graded against it.
    """
    scheduler = scheduler_for(study_settings, fuzz=False)
    states = {s.prompt_id: s for s in PromptState.objects.select_for_update().filter(user=user)}
    reviews = (
        Review.objects.filter(user=user, prompt_id__in=states.keys())
        .order_by("prompt_id", "reviewed_at", "id")
        .values_list("prompt_id", "rating", "reviewed_at")
    )
    changed = []
    for prompt_id, group in groupby(reviews.iterator(), key=lambda row: row[0]):
        logs = [
            ReviewLog(
                card_id=prompt_id,
                rating=Rating(rating),
                review_datetime=when.astimezone(dt.UTC),
                review_duration=None,
            )
            for _prompt, rating, when in group
        ]
        state = states[prompt_id]
        card = scheduler.reschedule_card(state_card(state), logs)
        state.state = card.state.value
        state.step = card.step
        state.stability = card.stability
        state.difficulty = card.difficulty
        state.due = card.due
        state.last_review = card.last_review
        state.version += 1
        changed.append(state)
    PromptState.objects.bulk_update(
        changed, ["state", "step", "stability", "difficulty", "due", "last_review", "version"]
    )
    return len(changed)


def state_card(state: PromptState):
    return Memory.from_row(state).to_fsrs(state.prompt_id)


@dataclass(frozen=True)
class FsrsPanel:
    """What Study settings shows about personal FSRS."""

    review_count: int
    minimum: int
    in_request_max: int
    personal_in_use: bool
    fit: FsrsFit | None

    @property
    def enough(self) -> bool:
        return self.review_count >= self.minimum


def fsrs_panel_for(user, study_settings: StudySettings) -> FsrsPanel:
    return FsrsPanel(
        review_count=Review.objects.filter(user=user).count(),
        minimum=MIN_REVIEWS,
        in_request_max=IN_REQUEST_MAX_REVIEWS,
        personal_in_use=study_settings.fsrs_parameters is not None,
        fit=FsrsFit.objects.filter(user=user).first(),
    )
