"""Practice tests: the weighted draw, starting a test, keeping picks, submitting it once, and
sending the questions missed to the study queue through the logged reschedule."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from flashcards.grading import states_rebuild
from flashcards.models import ManualChange, PromptState
from practice.answers import answer_check, answer_log
from practice.models import Answer, AttemptQuestion
from practice.selectors import PracticeScope
from practice.services import (
    answer_save,
    attempt_start,
    attempt_submit,
    missed_to_study_queue,
    questions_draw,
)
from tests.conftest import grade_now, make_lesson
from tests.practice.conftest import make_test_questions

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def start(user, scope, count=10, timed=False, seed=1, now=NOW):
    return attempt_start(
        user=user,
        scope=scope,
        count=count,
        timed=timed,
        now=now,
        seconds_per_question=120,
        rng=random.Random(seed),
    )


def lesson_scope(prompt) -> PracticeScope:
    lesson = prompt.card.lesson
    return PracticeScope("lesson", lesson.slug, lesson.title)


@pytest.mark.parametrize("seed", range(20))
def test_the_draw_takes_wrong_and_unseen_questions_before_right_ones(seed):
    pool = list(range(1, 21))
    latest_right = dict.fromkeys(range(1, 16), True) | {16: False, 17: False}
    # 16, 17 answered wrong last; 18 to 20 never answered; 1 to 15 answered right.
    drawn = questions_draw(pool, latest_right, 8, random.Random(seed))
    assert len(drawn) == 8 == len(set(drawn))
    assert {16, 17, 18, 19, 20} <= set(drawn)
    assert len(set(drawn) & set(range(1, 16))) == 3


def test_the_draw_is_random_within_a_group_and_shuffles_the_test():
    pool = list(range(1, 31))
    draws = {tuple(questions_draw(pool, {}, 5, random.Random(seed))) for seed in range(10)}
    assert len(draws) == 10
    # Right-answered questions are not all put last once there is room for them.
    latest_right = {pk: pk > 3 for pk in range(1, 11)}
    orders = [questions_draw(range(1, 11), latest_right, 10, random.Random(s)) for s in range(10)]
    assert any(set(order[-3:]) != {1, 2, 3} for order in orders)
    assert questions_draw(pool, {}, 5, random.Random(3)) == questions_draw(
        pool, {}, 5, random.Random(3)
    )


def test_a_test_is_fixed_when_it_starts_and_weighted_by_the_answer_log(learner):
    prompts = make_test_questions(6)
    # Answered right at last (wrong first): counts as right; answered wrong at last: wrong.
    for prompt in prompts[:4]:
        answer_log(
            user=learner,
            prompt=prompt,
            checked=answer_check(prompt, ["A"]),
            source=Answer.Source.STUDY,
            now=NOW - dt.timedelta(days=2),
        )
        answer_log(
            user=learner,
            prompt=prompt,
            checked=answer_check(prompt, ["B"]),
            source=Answer.Source.STUDY,
            now=NOW - dt.timedelta(days=1),
        )
    answer_log(
        user=learner,
        prompt=prompts[4],
        checked=answer_check(prompts[4], ["C"]),
        source=Answer.Source.STUDY,
        now=NOW,
    )
    attempt = start(learner, lesson_scope(prompts[0]), count=3)
    chosen = list(attempt.questions.order_by("position").values_list("prompt_id", "position"))
    # prompts[4] (wrong) and prompts[5] (unseen) first, then one of the four right ones.
    assert {prompts[4].pk, prompts[5].pk} <= {pk for pk, _ in chosen}
    assert [position for _, position in chosen] == [1, 2, 3]
    assert (attempt.question_count, attempt.scope, attempt.deadline) == (
        3,
        f"lesson:{prompts[0].card.lesson.slug}",
        None,
    )


def test_a_timed_test_has_two_minutes_a_question_and_a_small_pool_caps_the_count(learner):
    prompts = make_test_questions(2)
    attempt = start(learner, lesson_scope(prompts[0]), count=10, timed=True)
    assert attempt.question_count == 2
    assert attempt.deadline == NOW + dt.timedelta(minutes=4)


def test_a_scope_with_no_questions_starts_no_test(learner):
    lesson = make_lesson()
    assert start(learner, PracticeScope("lesson", lesson.slug, lesson.title)) is None
    assert not learner.practice_attempts.exists()


def test_only_studyable_questions_are_drawn_and_the_scope_holds(learner):
    prompts = make_test_questions(2)
    other = make_test_questions(2)
    draft = make_test_questions(2, status="draft")
    retired = other[1]
    retired.is_active = False
    retired.save()
    everything = start(learner, PracticeScope("all"), count=65)
    asked = set(everything.questions.values_list("prompt_id", flat=True))
    assert asked == {prompts[0].pk, prompts[1].pk, other[0].pk}
    assert not asked & {p.pk for p in draft}
    topic = prompts[0].card.lesson.topic
    by_topic = start(learner, PracticeScope("topic", topic.slug, topic.title), count=65)
    assert set(by_topic.questions.values_list("prompt_id", flat=True)) == {p.pk for p in prompts}


def test_picks_are_kept_checked_and_a_closed_test_keeps_no_more(learner):
    prompts = make_test_questions(2)
    attempt = start(learner, lesson_scope(prompts[0]), timed=True)
    assert answer_save(attempt=attempt, position=1, picks=["c", "Z"], flagged=True, now=NOW)
    question = attempt.questions.get(position=1)
    assert (question.chosen, question.flagged) == ("C", True)
    # After the deadline (4 minutes), nothing is kept.
    late = NOW + dt.timedelta(minutes=4)
    assert not answer_save(attempt=attempt, position=2, picks=["A"], flagged=False, now=late)
    assert attempt.questions.get(position=2).chosen == ""
    attempt_submit(attempt=attempt, now=NOW)
    assert not answer_save(attempt=attempt, position=2, picks=["A"], flagged=False, now=NOW)


def test_submitting_grades_on_the_server_logs_the_answered_and_happens_once(learner):
    prompts = make_test_questions(3)
    attempt = start(learner, lesson_scope(prompts[0]))
    questions = {q.position: q for q in attempt.questions.all()}
    answer_save(attempt=attempt, position=1, picks=["B"], flagged=False, now=NOW)  # right
    answer_save(attempt=attempt, position=2, picks=["A"], flagged=False, now=NOW)  # wrong
    later = NOW + dt.timedelta(minutes=5)
    submitted = attempt_submit(attempt=attempt, now=later)
    assert (submitted.right_count, submitted.submitted_at) == (1, later)
    rows = dict(AttemptQuestion.objects.filter(attempt=attempt).values_list("position", "is_right"))
    assert rows == {1: True, 2: False, 3: False}
    logged = list(Answer.objects.filter(user=learner).order_by("prompt_id"))
    assert sorted((a.prompt_id, a.chosen, a.is_right) for a in logged) == sorted(
        [(questions[1].prompt_id, "B", True), (questions[2].prompt_id, "A", False)]
    )
    assert {(a.source, a.attempt_id, a.answered_at) for a in logged} == {
        ("test", attempt.pk, later)
    }
    again = attempt_submit(attempt=attempt, now=later + dt.timedelta(hours=1))
    assert again.submitted_at == later
    assert Answer.objects.filter(user=learner).count() == 2


def test_a_timed_test_submitted_after_its_deadline_ends_at_the_deadline(learner):
    prompts = make_test_questions(1)
    attempt = start(learner, lesson_scope(prompts[0]), timed=True)
    submitted = attempt_submit(attempt=attempt, now=NOW + dt.timedelta(days=1))
    assert submitted.submitted_at == attempt.deadline


def test_missed_questions_studied_before_become_due_today_through_a_logged_reschedule(learner):
    prompts = make_test_questions(3)
    for prompt in prompts[:2]:
        grade_now(learner, prompt, 3, NOW - dt.timedelta(days=3))
    kept_due = PromptState.objects.get(user=learner, prompt=prompts[0]).due
    attempt = start(learner, lesson_scope(prompts[0]))
    for question in attempt.questions.all():
        right = question.prompt_id == prompts[0].pk
        picks = ["B"] if right else ["A"]
        answer_save(
            attempt=attempt, position=question.position, picks=picks, flagged=False, now=NOW
        )
    attempt_submit(attempt=attempt, now=NOW)
    made_due, left_new = missed_to_study_queue(
        user=learner, attempt=attempt, now=NOW, time_zone="Asia/Tokyo"
    )
    assert (made_due, left_new) == (1, 1)
    state = PromptState.objects.get(user=learner, prompt=prompts[1])
    # Midnight in Tokyo on its today (2 March, 21:00 there): due already.
    assert state.due == dt.datetime(2026, 3, 1, 15, tzinfo=dt.UTC) <= NOW
    change = ManualChange.objects.get(user=learner)
    assert (change.prompt_id, change.kind, change.due) == (prompts[1].pk, "reschedule", state.due)
    # The one answered right keeps its schedule; the never studied one stays new.
    assert PromptState.objects.get(user=learner, prompt=prompts[0]).due == kept_due
    assert not PromptState.objects.filter(user=learner, prompt=prompts[2]).exists()
    # A rebuild from the review log and the changes by hand reaches the same due date.
    states_rebuild(user=learner)
    assert PromptState.objects.get(user=learner, prompt=prompts[1]).due == state.due
