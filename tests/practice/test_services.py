"""Practice tests: the weighted draw, starting a test, keeping picks, submitting it once, and
sending the questions missed to the study queue through the logged reschedule."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from flashcards.card_sync import cards_sync_from_note
from flashcards.grading import states_rebuild
from flashcards.models import ManualChange, PromptState, Review
from flashcards.questions import parse_questions
from practice.answers import answer_check, answer_log
from practice.models import Answer, AttemptQuestion
from practice.selectors import PracticeScope
from practice.services import (
    RESTART_WINDOW,
    answer_save,
    attempt_start,
    attempt_submit,
    missed_to_study_queue,
    questions_draw,
)
from tests.conftest import grade_now, make_lesson
from tests.practice.conftest import short_question_text, three_option_questions

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
    prompts = three_option_questions(6)
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
    prompts = three_option_questions(2)
    attempt = start(learner, lesson_scope(prompts[0]), count=10, timed=True)
    assert attempt.question_count == 2
    assert attempt.deadline == NOW + dt.timedelta(minutes=4)


def test_a_scope_with_no_questions_starts_no_test(learner):
    lesson = make_lesson()
    assert start(learner, PracticeScope("lesson", lesson.slug, lesson.title)) is None
    assert not learner.practice_attempts.exists()


def test_only_studyable_questions_are_drawn_and_the_scope_holds(learner):
    prompts = three_option_questions(2)
    other = three_option_questions(2)
    draft = three_option_questions(2, status="draft")
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
    prompts = three_option_questions(2)
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
    prompts = three_option_questions(3)
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
    prompts = three_option_questions(1)
    attempt = start(learner, lesson_scope(prompts[0]), timed=True)
    submitted = attempt_submit(attempt=attempt, now=NOW + dt.timedelta(days=1))
    assert submitted.submitted_at == attempt.deadline


def test_missed_questions_studied_before_become_due_today_through_a_logged_reschedule(learner):
    prompts = three_option_questions(3)
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
    later = NOW + dt.timedelta(minutes=5)
    done = missed_to_study_queue(user=learner, attempt=attempt, now=later, time_zone="Asia/Tokyo")
    assert (done.made_due, done.learning, done.already) == (1, 1, False)
    state = PromptState.objects.get(user=learner, prompt=prompts[1])
    # Midnight in Tokyo on its today (2 March, 21:00 there): due already.
    assert state.due == dt.datetime(2026, 3, 1, 15, tzinfo=dt.UTC) <= NOW
    change = ManualChange.objects.get(user=learner)
    assert (change.prompt_id, change.kind, change.due) == (prompts[1].pk, "reschedule", state.due)
    # The one answered right keeps its schedule.
    assert PromptState.objects.get(user=learner, prompt=prompts[0]).due == kept_due
    # The never studied one failed its recall in the test: an Again grade logged at the
    # submit, so it is in learning and due by now, not new behind the daily limit.
    never = PromptState.objects.get(user=learner, prompt=prompts[2])
    assert never.state == PromptState.State.LEARNING and never.due <= later
    logged = Review.objects.get(user=learner, prompt=prompts[2])
    assert (logged.rating, logged.reviewed_at) == (Review.Rating.AGAIN, NOW)
    # A rebuild from the review log and the changes by hand reaches the same states.
    before = {
        row["prompt_id"]: row
        for row in PromptState.objects.filter(user=learner).values(
            "prompt_id", "due", "state", "stability", "difficulty", "step"
        )
    }
    states_rebuild(user=learner)
    after = {
        row["prompt_id"]: row
        for row in PromptState.objects.filter(user=learner).values(
            "prompt_id", "due", "state", "stability", "difficulty", "step"
        )
    }
    assert after == before


def test_sending_the_missed_questions_twice_changes_nothing_the_second_time(learner):
    prompts = three_option_questions(2)
    grade_now(learner, prompts[0], 3, NOW - dt.timedelta(days=3))
    attempt = attempt_submit(attempt=start(learner, lesson_scope(prompts[0])), now=NOW)
    first = missed_to_study_queue(user=learner, attempt=attempt, now=NOW)
    counts = (Review.objects.count(), ManualChange.objects.count())
    second = missed_to_study_queue(user=learner, attempt=attempt, now=NOW + dt.timedelta(hours=1))
    assert (first.made_due, first.learning, first.already) == (1, 1, False)
    assert second.already and (second.made_due, second.learning) == (0, 0)
    assert (Review.objects.count(), ManualChange.objects.count()) == counts


def reword(prompt, right: str) -> None:
    """Re-import the question's note with `right` its right option (the options reordered)."""
    lesson = prompt.card.lesson
    cards_sync_from_note(lesson=lesson, specs=parse_questions(short_question_text(0, right=right)))


def test_a_question_edited_mid_test_is_asked_and_graded_as_the_test_started(learner):
    prompts = three_option_questions(1)
    first_hash = prompts[0].content_hash
    attempt = start(learner, lesson_scope(prompts[0]))
    reword(prompts[0], right="A")
    prompts[0].refresh_from_db()
    assert prompts[0].content_hash != first_hash  # the card now says A
    # The learner picks B, the right answer of the question they were shown.
    answer_save(attempt=attempt, position=1, picks=["B"], flagged=False, now=NOW)
    submitted = attempt_submit(attempt=attempt, now=NOW)
    assert submitted.right_count == 1
    question = submitted.questions.get()
    assert question.is_right and question.content_hash == first_hash
    answer = Answer.objects.get(attempt=submitted)
    assert (answer.chosen, answer.is_right, answer.content_hash) == ("B", True, first_hash)


def test_a_second_start_within_moments_resumes_the_first(learner):
    prompts = three_option_questions(3)
    scope = lesson_scope(prompts[0])
    first = start(learner, scope)
    assert start(learner, scope, seed=2, now=NOW + dt.timedelta(seconds=2)) == first
    assert AttemptQuestion.objects.filter(attempt__user=learner).count() == 3
    # Later, or once submitted, Start starts another test.
    later = start(learner, scope, now=NOW + RESTART_WINDOW + dt.timedelta(seconds=1))
    assert later != first
    attempt_submit(attempt=later, now=NOW + RESTART_WINDOW + dt.timedelta(seconds=2))
    again = start(learner, scope, now=NOW + RESTART_WINDOW + dt.timedelta(seconds=3))
    assert again not in (first, later)


def test_a_question_whose_card_was_deleted_leaves_the_test_working(learner):
    prompts = three_option_questions(3)
    attempt = start(learner, lesson_scope(prompts[0]))
    gone = attempt.questions.get(position=2)
    gone.prompt.card.delete()
    with pytest.raises(AttemptQuestion.DoesNotExist):
        answer_save(attempt=attempt, position=2, picks=["B"], flagged=False, now=NOW)
    assert answer_save(attempt=attempt, position=3, picks=["B"], flagged=False, now=NOW)
    submitted = attempt_submit(attempt=attempt, now=NOW)
    assert list(submitted.questions.values_list("position", "is_right")) == [
        (1, False),
        (3, True),
    ]
