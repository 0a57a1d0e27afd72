"""Custom study: more new cards today, a scope's own daily limit, and what the custom study
page shows. The modes themselves (review ahead, today's forgotten cards) are `Scope`'s."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import transaction

from flashcards.allowance import EXTRA_MAX, ScopeNewCards
from flashcards.days import day_start, local_date
from flashcards.models import StudySettings
from flashcards.selectors import (
    Scope,
    custom_queue_size,
    holds_for,
    new_left_today,
    scope_new_cards,
    unseen_count,
)


def _locked_settings(user) -> StudySettings:
    """The learner's settings row, created with the defaults if need be, locked until the
    transaction ends: two tabs adding cards at once both count."""
    StudySettings.objects.get_or_create(user=user)
    return StudySettings.objects.select_for_update().get(user=user)


def _store(study_settings: StudySettings, scope: Scope, own: ScopeNewCards) -> None:
    stored = dict(study_settings.scope_new_cards or {})
    if own.to_json():
        stored[str(scope.base)] = own.to_json()
    else:
        stored.pop(str(scope.base), None)
    study_settings.scope_new_cards = stored
    study_settings.save(update_fields=["scope_new_cards"])


@transaction.atomic
def extra_new_cards_add(*, user, scope: Scope, count: int, now: dt.datetime) -> ScopeNewCards:
    """Raise today's new-card allowance in `scope` by `count` ("more new cards today")."""
    study_settings = _locked_settings(user)
    own = scope_new_cards(study_settings, scope)
    today = local_date(now, study_settings.time_zone)
    extra = min(own.extra_on(today) + count, EXTRA_MAX)
    own = ScopeNewCards(limit=own.limit, extra=extra, extra_day=today)
    _store(study_settings, scope, own)
    return own


@transaction.atomic
def scope_limit_set(*, user, scope: Scope, limit: int | None) -> ScopeNewCards:
    """Give `scope` its own new cards a day (None: only the overall limit holds)."""
    study_settings = _locked_settings(user)
    own = scope_new_cards(study_settings, scope)
    own = ScopeNewCards(limit=limit, extra=own.extra, extra_day=own.extra_day)
    _store(study_settings, scope, own)
    return own


@dataclass(frozen=True)
class CustomStudyPanel:
    """What the custom study page says about a scope before the learner chooses."""

    scope: Scope
    new_left: int  # today's allowance left here
    unseen: int  # prompts never studied here
    own_limit: int | None
    extra_today: int
    forgotten: int  # graded Again today, to review once more

    @property
    def offers_own_limit(self) -> bool:
        # Everything's limit is the overall one, in the study settings.
        return self.scope.kind != "all"


def custom_study_panel(
    *, user, scope: Scope, study_settings: StudySettings, now: dt.datetime
) -> CustomStudyPanel:
    """Three queries: today's grades, unseen prompts, today's forgotten prompts (counted as
    the forgotten mode's queue is read)."""
    scope = scope.base
    own = scope_new_cards(study_settings, scope)
    forgotten = scope.with_mode(forgotten_mode(study_settings, now))
    return CustomStudyPanel(
        scope=scope,
        new_left=new_left_today(user, study_settings, now, scope),
        unseen=unseen_count(user, scope),
        own_limit=own.limit,
        extra_today=own.extra_on(local_date(now, study_settings.time_zone)),
        forgotten=custom_queue_size(user, forgotten, now, holds_for(user, study_settings, now)),
    )


def forgotten_mode(study_settings: StudySettings, now: dt.datetime) -> str:
    """The mode of a forgotten-cards session beginning now: today's Again grades so far."""
    day = day_start(now, study_settings.time_zone)
    # Rounded up: an Again given a moment ago, in the same second, counts as before.
    return f"{Scope.FORGOTTEN}:{int(day.timestamp())}-{math.ceil(now.timestamp())}"
