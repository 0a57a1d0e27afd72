"""An exam date: intervals stop short of it."""

from __future__ import annotations

import datetime as dt

import pytest

from flashcards.grading import grade_submit
from flashcards.models import PromptState, StudySettings
from flashcards.scheduling import interval_cap
from flashcards.tokens import grade_token
from tests.conftest import make_card, make_user

D = dt.date


def test_the_cap_stops_short_of_the_exam_day():
    today = D(2026, 5, 1)
    assert interval_cap(36500, None, today) == 36500
    assert interval_cap(36500, D(2026, 5, 31), today) == 29  # back by 30 May at the latest
    assert interval_cap(10, D(2026, 5, 31), today) == 10  # the learner's own maximum is lower
    assert interval_cap(36500, D(2026, 5, 2), today) == 1  # tomorrow: one day is the least
    assert interval_cap(36500, today, today) == 36500  # exam day itself: no limit any more
    assert interval_cap(36500, D(2026, 4, 1), today) == 36500  # past


def grade_easy_until(user, prompt, start: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """Grade Easy each time the prompt falls due before `until`; the due dates given."""
    now, dues = start, []
    while now < until:
        state = PromptState.objects.filter(user=user, prompt=prompt).first()
        token = grade_token(
            user_id=user.pk,
            prompt_id=prompt.pk,
            version=state.version if state else 0,
            shown_at=now,
        )
        assert grade_submit(user=user, token=token, rating=4, now=now).applied
        now = PromptState.objects.get(user=user, prompt=prompt).due
        dues.append(now)
    return dues


@pytest.mark.django_db
def test_no_grade_schedules_a_prompt_on_or_after_the_exam_day():
    start = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    exam = D(2026, 5, 20)
    exam_start = dt.datetime(2026, 5, 20, tzinfo=dt.UTC)

    free_learner = make_user()
    free = grade_easy_until(free_learner, make_card().prompts.get(), start, exam_start)
    assert free[-1].date() > exam  # without an exam, Easy soon jumps past that day

    learner = make_user()
    StudySettings.objects.create(user=learner, exam_date=exam)
    capped = grade_easy_until(learner, make_card().prompts.get(), start, exam_start)
    assert len(capped) > len(free)
    # Every review before the eve of the exam brings the prompt back before the exam day; one
    # on the eve can only bring it back on the day (a day is the shortest interval).
    reviewed = [start, *capped[:-1]]
    for when, due in zip(reviewed, capped, strict=True):
        if when.date() < exam - dt.timedelta(days=1):
            assert due.date() < exam, (when, due)
    assert reviewed[-1].date() == exam - dt.timedelta(days=1)
    assert capped[-1].date() == exam
