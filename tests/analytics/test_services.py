"""The snapshot the roster's Known sort reads: the learner's own "known", lesson by lesson."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from analytics import roster
from analytics.models import KnownSnapshot
from analytics.services import known_snapshot_take, known_snapshot_time
from flashcards.models import StudySettings
from flashcards.selectors import Scope
from tests.analytics.test_roster import row_of, state
from tests.conftest import make_card, make_lesson, make_user

pytestmark = pytest.mark.django_db


def test_the_snapshot_holds_each_learners_known_per_lesson_as_the_roster_shows_it():
    now = timezone.now()
    first, second = make_lesson(title="First"), make_lesson(title="Second")
    one = make_card(lesson=first).prompts.get()
    two = make_card(lesson=second).prompts.get()
    ann, bob = make_user(username="ann"), make_user(username="bob")
    state(ann, one, due=now, stability=40.0, reviewed_days_ago=3)
    state(ann, two, due=now, stability=2.0, reviewed_days_ago=9)
    state(bob, one, due=now, stability=5.0)
    # Bob's own forgetting curve and exam day: the snapshot takes "known" as his page does.
    StudySettings.objects.create(
        user=bob,
        exam_date=(now + dt.timedelta(days=10)).date(),
        fsrs_parameters=[0.4] * 20 + [0.3],
    )

    assert known_snapshot_take(now=now) == 3
    taken = {
        (figure.user_id, figure.lesson_id): figure.recalled
        for figure in KnownSnapshot.objects.all()
    }
    for user in (ann, bob):
        for lesson in (first, second):
            live = row_of(user, now, Scope("lesson", lesson.slug)).known  # a share of 1 prompt
            assert taken.get((user.pk, lesson.pk), 0.0) == pytest.approx(live)
    assert known_snapshot_time() == now


def test_a_new_snapshot_replaces_the_last():
    first = timezone.now() - dt.timedelta(hours=1)
    prompt = make_card().prompts.get()
    ann = make_user(username="ann")
    state(ann, prompt, due=first)
    known_snapshot_take(now=first)
    ann.delete()
    make_user(username="bob")
    assert known_snapshot_take(now=first + dt.timedelta(hours=1)) == 0
    assert not KnownSnapshot.objects.exists()


def test_there_is_no_snapshot_time_before_the_first():
    assert known_snapshot_time() is None


def test_the_command_takes_the_snapshot():
    prompt = make_card().prompts.get()
    state(make_user(username="ann"), prompt, due=timezone.now())
    out = StringIO()
    call_command("snapshot_known", stdout=out)
    assert out.getvalue().startswith("1 learner-lesson figures in ")
    assert KnownSnapshot.objects.count() == 1
    assert known_snapshot_time() is not None
    assert roster.live_prompt_count(Scope()) == 1
