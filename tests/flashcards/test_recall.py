"""The database's retrievability agrees with the fsrs package's, on both databases; and what
"known" means (when it is measured), shown the same on every page."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Case, DateTimeField, Value, When
from django.utils import timezone

from flashcards.models import PromptState, StudySettings
from flashcards.recall import (
    HORIZON_DAYS,
    KnownHorizon,
    decay_of,
    known_horizon,
    learner_decay,
    recall_at,
)
from flashcards.scheduling import Memory, make_scheduler, retrievability
from flashcards.selectors import horizon_for, mastery_by_lesson, study_settings_for
from tests.conftest import make_card, make_lesson

pytestmark = pytest.mark.django_db


def test_recall_in_sql_matches_fsrs_for_many_states():
    rng = random.Random(7)
    now = dt.datetime(2026, 6, 1, 9, 17, 23, 450000, tzinfo=dt.UTC)
    prompt = make_card().prompts.get()
    # Unusable passwords: hashing 62 of them would be most of this test's time.
    User = get_user_model()
    users = iter(User.objects.bulk_create(User(username=f"reader{n}") for n in range(62)))
    states = []
    for _ in range(60):
        last = now - dt.timedelta(seconds=rng.randint(0, 400 * 86400))
        states.append(
            PromptState(
                user=next(users),
                prompt=prompt,
                state=2,
                step=None,
                due=now,
                stability=rng.uniform(0.1, 300),
                difficulty=5,
                last_review=last,
            )
        )
    # A prompt seen only in learning may have no stability yet; a future review counts 0 days.
    states.append(
        PromptState(
            user=next(users),
            prompt=prompt,
            state=1,
            step=0,
            due=now,
            stability=None,
            last_review=now,
        )
    )
    states.append(
        PromptState(
            user=next(users),
            prompt=prompt,
            state=2,
            due=now,
            stability=3,
            last_review=now + dt.timedelta(days=2),
        )
    )
    PromptState.objects.bulk_create(states)

    scheduler = make_scheduler()
    rows = PromptState.objects.annotate(recall=recall_at(now)).order_by("pk")
    for row in rows:
        memory = Memory.from_row(row)
        expected = retrievability(memory, now, scheduler) if row.stability else 0.0
        assert row.recall == pytest.approx(expected, abs=1e-9), (row.stability, row.last_review)


NOW = dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.UTC)


def test_known_is_taken_thirty_days_ahead_without_an_exam_day_still_to_come():
    assert known_horizon(NOW) == KnownHorizon(moment=NOW + dt.timedelta(days=30))
    assert HORIZON_DAYS == 30
    for past_or_today in (dt.date(2026, 3, 1), dt.date(2026, 3, 2)):
        assert known_horizon(NOW, exam_date=past_or_today).exam_day is None
    # In Tokyo it is already 3 March: an exam that day is today there, so no longer ahead.
    assert (
        known_horizon(NOW, exam_date=dt.date(2026, 3, 3), time_zone="Asia/Tokyo").exam_day is None
    )


def test_known_is_taken_at_midday_of_an_exam_day_still_to_come_in_the_learners_zone():
    horizon = known_horizon(NOW, exam_date=dt.date(2026, 4, 20), time_zone="Europe/Paris")
    assert horizon.exam_day == dt.date(2026, 4, 20)
    assert horizon.moment == dt.datetime(2026, 4, 20, 10, tzinfo=dt.UTC)  # 12:00 CEST


def test_recall_at_a_per_row_moment_matches_the_same_moment_given_once():
    prompt = make_card().prompts.get()
    user = get_user_model().objects.create(username="reader")
    PromptState.objects.create(
        user=user, prompt=prompt, state=2, due=NOW, stability=4, difficulty=5, last_review=NOW
    )
    later = NOW + dt.timedelta(days=12, hours=5)
    per_row = Case(
        When(user_id=user.pk, then=Value(later, output_field=DateTimeField())),
        default=Value(NOW),
        output_field=DateTimeField(),
    )
    fixed = PromptState.objects.annotate(recall=recall_at(later)).get().recall
    assert PromptState.objects.annotate(recall=recall_at(per_row)).get().recall == fixed
    assert fixed == pytest.approx(
        retrievability(Memory.from_row(PromptState.objects.get()), later, make_scheduler())
    )


def test_recall_follows_each_learners_own_decay_given_once_or_read_per_row():
    prompt = make_card().prompts.get()
    users = [get_user_model().objects.create(username=name) for name in ("own", "default")]
    StudySettings.objects.create(user=users[0], fsrs_parameters=STEEP)
    for user in users:
        PromptState.objects.create(
            user=user, prompt=prompt, state=2, due=NOW, stability=4, difficulty=5, last_review=NOW
        )
    later = NOW + dt.timedelta(days=12)
    per_row = dict(
        PromptState.objects.annotate(recall=recall_at(later, decay=learner_decay())).values_list(
            "user__username", "recall"
        )
    )
    memory = Memory.from_row(PromptState.objects.first())
    own = retrievability(memory, later, make_scheduler(parameters=STEEP))
    assert per_row["own"] == pytest.approx(own)
    assert per_row["default"] == pytest.approx(retrievability(memory, later, make_scheduler()))
    assert own < per_row["default"] - 0.05
    given = PromptState.objects.filter(user=users[0]).annotate(
        recall=recall_at(later, decay=decay_of(STEEP))
    )
    assert given.get().recall == pytest.approx(own)


# FSRS's defaults with a forgetting curve far steeper than theirs: a learner who fitted these
# forgets faster, and every page must say so alike.
STEEP = [*make_scheduler().parameters[:20], 0.8]


@pytest.mark.parametrize(("exam_in_days", "parameters"), [(None, None), (10, None), (None, STEEP)])
def test_the_same_known_figure_appears_on_every_page_that_shows_it(
    client, learner, instructor, exam_in_days, parameters
):
    """Lesson list (home and topic), lesson page, session summary, dashboard and instructor
    analytics: one definition, one figure; with an exam ahead, taken on the exam day; with the
    learner's own FSRS parameters, on their own forgetting curve."""
    lesson = make_lesson(title="Snapshots")
    for number in range(3):
        make_card(lesson=lesson, front=f"Question {number}?")
    make_card(lesson=lesson, front="Not studied yet?")  # unseen: counts 0 everywhere
    exam = None
    if exam_in_days:
        exam = timezone.now().date() + dt.timedelta(days=exam_in_days)
    StudySettings.objects.create(
        user=learner, exam_date=exam, new_per_day=3, fsrs_parameters=parameters
    )
    client.force_login(learner)
    for _ in range(3):  # Easy graduates each new card at once, so the session then ends
        page = client.get("/study/").content.decode()
        token = re.search(r'name="reveal" value="([^"]+)"', page)[1]
        assert client.post("/study/grade/", {"token": token, "rating": 4}).status_code == 303
    summary = client.get("/study/").content.decode()
    assert "Session done" in summary

    def figure(page: str) -> int:
        return int(re.search(r'mastery__value">(\d+)% known', page)[1])

    pages = {
        "summary": summary,
        "home": client.get("/").content.decode(),
        "topic": client.get(lesson.topic.get_absolute_url()).content.decode(),
        "lesson": client.get(lesson.get_absolute_url()).content.decode(),
        "dashboard": client.get("/progress/").content.decode(),
    }
    figures = {name: figure(page) for name, page in pages.items()}
    horizon = horizon_for(study_settings_for(learner), timezone.now())
    expected = mastery_by_lesson(learner, [lesson.pk], horizon)[lesson.pk].known
    assert set(figures.values()) == {round(100 * expected)}, figures
    assert 0 < expected < 0.75  # three of four cards, each seen once: nowhere near 100%
    if parameters:
        default = mastery_by_lesson(learner, [lesson.pk], known_horizon(timezone.now()))
        assert expected < default[lesson.pk].known - 0.05  # the steeper curve, not the default
    client.force_login(instructor)
    analytics = client.get("/analytics/").content.decode()
    row = re.search(r"Snapshots</a></th>(.*?)</tr>", analytics, re.DOTALL)[1]
    assert re.findall(r"(\d+)%", row)[-1] == str(round(100 * expected))  # the median of one

    # The definition, in one sentence, where the figure appears.
    when = f"on your exam day, {exam.day} {exam:%B %Y}," if exam else "in 30 days"
    for name in ("lesson", "dashboard", "summary", "home"):
        assert f"expected to recall {when} if you stopped studying now" in pages[name], name
    assert "Known: the share of this lesson's cards" in pages["lesson"]
