"""A learner with a varied study history, and their progress as plain values to compare."""

from __future__ import annotations

import datetime as dt

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from backups.progress import prompt_identity
from flashcards.grading import grade_undo
from flashcards.models import (
    Card,
    ManualChange,
    Prompt,
    PromptMark,
    PromptState,
    Review,
    StudySettings,
)
from tests.conftest import make_card, make_lesson, study_for_days

START = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)


def fields_of(row, model) -> dict:
    return {
        field.name: getattr(row, field.attname)
        for field in model._meta.concrete_fields
        if field.name not in ("id", "user", "prompt")
    }


def progress_of(user) -> dict:
    """Every field of the learner's settings, reviews, states, marks and manual changes,
    prompts named by identity."""
    study_settings = StudySettings.objects.filter(user=user).first()

    def named(prompt) -> tuple:
        return tuple(prompt_identity(prompt).values())

    return {
        "settings": fields_of(study_settings, StudySettings) if study_settings else None,
        "reviews": [
            (named(review.prompt), fields_of(review, Review))
            for review in Review.objects.filter(user=user).order_by("reviewed_at", "id")
        ],
        "states": {
            named(state.prompt): fields_of(state, PromptState)
            for state in PromptState.objects.filter(user=user)
        },
        "marks": {
            named(mark.prompt): fields_of(mark, PromptMark)
            for mark in PromptMark.objects.filter(user=user)
        },
        "manual_changes": [
            (named(change.prompt), fields_of(change, ManualChange))
            for change in ManualChange.objects.filter(user=user).order_by("at", "id")
        ],
    }


def study(user, prompts) -> None:
    """Two weeks of study, then the last grade undone (so versions run ahead of the log)."""
    study_for_days(user, prompts, start=START, days=14)
    latest = Review.objects.filter(user=user).order_by("-reviewed_at", "-id").first()
    grade_undo(user=user, review_id=latest.pk)


# A learner's own FSRS parameters (the defaults with a longer first Good interval).
PERSONAL_PARAMETERS = [0.212, 1.2931, 9.0, *DEFAULT_PARAMETERS[3:]]


@pytest.fixture
def studied(learner):
    StudySettings.objects.create(
        user=learner,
        desired_retention=0.85,
        maximum_interval=400,
        new_per_day=7,
        time_zone="Europe/Paris",
        exam_date=dt.date(2026, 6, 1),
        fsrs_parameters=PERSONAL_PARAMETERS,
    )
    lesson = make_lesson()
    cards = [
        make_card(lesson=lesson),
        make_card(lesson=lesson, kind=Card.Kind.REVERSED, front="Aurora cloning", back="CoW."),
        make_card(lesson=lesson, kind=Card.Kind.CLOZE, front="{{c1::PITR}} to {{c2::5 min}}."),
        make_card(lesson=lesson, key="named", front="A card with an id line?"),
    ]
    study(learner, list(Prompt.objects.filter(card__in=cards).order_by("card__position")))
    return learner
