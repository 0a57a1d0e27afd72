"""Reads for studying: the queue (what comes next, and how many new cards a day, in the
learner's time zone), its scopes, the learner's settings, mastery and per-card figures."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from flashcards.marks import marks_change
from flashcards.models import LEECH_LAPSES, Card, Prompt, PromptState, Review, StudySettings
from flashcards.recall import KnownHorizon, known_horizon
from flashcards.scheduling import Memory, make_scheduler, retrievability
from flashcards.selectors import (
    Scope,
    _due_states,
    card_figures,
    exam_cards_exist,
    has_unseen,
    holds_for,
    horizon_for,
    mastery_by_lesson,
    next_due_at,
    next_prompt,
    queue_counts,
    study_settings_for,
    unseen_count,
)
from tests.conftest import grade_now, make_card, make_lesson, make_topic, make_user

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def put_state(user, prompt, *, state, due):
    return PromptState.objects.create(
        user=user,
        prompt=prompt,
        state=state,
        step=0,
        stability=3.0,
        difficulty=5.0,
        due=due,
        last_review=due - dt.timedelta(days=1),
    )


EVERYTHING = Scope()


def study_order(user, scope=EVERYTHING, now=NOW) -> list[str]:
    """Fronts in the order the queue serves them, answering each by removing it from the queue."""
    served = []
    settings = study_settings_for(user)
    for _ in range(50):
        counts = queue_counts(user, scope, settings, now)
        item = next_prompt(user, scope, counts, now)
        if item is None:
            return served
        served.append(item.prompt.card.front)
        if item.state:
            PromptState.objects.filter(pk=item.state.pk).update(due=now + dt.timedelta(days=365))
        else:
            put_state(user, item.prompt, state=2, due=now + dt.timedelta(days=365))
    raise AssertionError("the queue never emptied")


def test_learning_first_then_due_reviews_then_new_cards(learner):
    topic = make_topic()
    early, late = make_lesson(topic=topic, position=1), make_lesson(topic=topic, position=2)
    new_late = make_card(lesson=late, front="new in the later lesson")
    new_early = make_card(lesson=early, front="new in the earlier lesson")
    review_old = make_card(front="review due yesterday")
    review_new = make_card(front="review due an hour ago")
    learning = make_card(front="learning due now")
    relearning = make_card(front="relearning due a minute ago")
    not_due = make_card(front="review due tomorrow")
    put_state(learner, review_old.prompts.get(), state=2, due=NOW - dt.timedelta(days=1))
    put_state(learner, review_new.prompts.get(), state=2, due=NOW - dt.timedelta(hours=1))
    put_state(learner, learning.prompts.get(), state=1, due=NOW)
    put_state(learner, relearning.prompts.get(), state=3, due=NOW - dt.timedelta(minutes=1))
    put_state(learner, not_due.prompts.get(), state=2, due=NOW + dt.timedelta(days=1))
    assert new_late and new_early
    assert study_order(learner)[:6] == [
        "relearning due a minute ago",
        "learning due now",
        "review due yesterday",
        "review due an hour ago",
        "new in the earlier lesson",
        "new in the later lesson",
    ]


def test_scopes_limit_the_queue(learner):
    lesson = make_lesson(slug="only-this")
    make_card(lesson=lesson, front="in the lesson")
    tagged = make_card(front="tagged")
    tagged.tags.create(slug="kms")
    make_card(front="elsewhere")
    assert study_order(learner, Scope.parse("lesson:only-this")) == ["in the lesson"]
    assert study_order(learner, Scope.parse("tag:kms")) == ["tagged"]


def test_the_exam_scope_serves_only_exam_cards_due_or_new_from_any_lesson(learner):
    first, second = make_lesson(), make_lesson()
    due = make_card(lesson=first, front="exam, due", exam="RDS backups can be disabled.")
    make_card(lesson=second, front="exam, new", exam="Aurora backups cannot.")
    make_card(lesson=first, front="no exam line")
    later = make_card(lesson=second, front="exam, due later", exam="Later.")
    make_card(lesson=make_lesson(status="draft"), front="exam, in a draft", exam="Draft.")
    put_state(learner, due.prompts.get(), state=2, due=NOW - dt.timedelta(days=1))
    put_state(learner, later.prompts.get(), state=2, due=NOW + dt.timedelta(days=2))
    exam = Scope.parse("exam")
    counts = queue_counts(learner, exam, study_settings_for(learner), NOW)
    assert (counts.review, counts.new) == (1, 1)
    assert next_due_at(learner, exam) == NOW - dt.timedelta(days=1)
    assert study_order(learner, exam) == ["exam, due", "exam, new"]
    assert exam_cards_exist()


def test_no_exam_cards_means_the_exam_scope_is_not_offered(learner):
    make_card(front="plain")
    make_card(lesson=make_lesson(status="draft"), exam="Only in a draft.")
    assert not exam_cards_exist()
    assert study_order(learner, Scope.parse("exam")) == []


def test_drafts_and_retired_cards_are_not_studied(learner):
    make_card(lesson=make_lesson(status="draft"), front="draft lesson")
    retired = make_card(front="retired")
    retired.is_active = False
    retired.save()
    assert study_order(learner) == []


def introduce(user, prompt, at):
    """Record that a new prompt was first studied at `at`."""
    Review.objects.create(
        user=user,
        prompt=prompt,
        rating=3,
        reviewed_at=at,
        state_before=None,
        state_after=1,
        after={},
    )


def test_new_cards_per_day_count_in_the_learners_time_zone(learner):
    StudySettings.objects.create(user=learner, new_per_day=2, time_zone="Pacific/Auckland")
    lesson = make_lesson()
    cards = [make_card(lesson=lesson) for _ in range(5)]
    # 10:30 UTC on 2 March is 23:30 in Auckland (UTC+13): two new cards started "today" there.
    late_evening = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)
    introduce(learner, cards[0].prompts.get(), late_evening - dt.timedelta(hours=1))
    introduce(learner, cards[1].prompts.get(), late_evening - dt.timedelta(minutes=5))
    for card in cards[:2]:
        put_state(learner, card.prompts.get(), state=1, due=late_evening + dt.timedelta(days=9))
    settings = study_settings_for(learner)
    assert queue_counts(learner, Scope(), settings, late_evening).new == 0
    # Forty minutes later it is past midnight in Auckland: a new day, two more new cards.
    after_midnight = late_evening + dt.timedelta(minutes=40)
    assert queue_counts(learner, Scope(), settings, after_midnight).new == 2
    # In UTC it would still have been the same day.
    StudySettings.objects.filter(user=learner).update(time_zone="UTC")
    assert queue_counts(learner, Scope(), study_settings_for(learner), after_midnight).new == 0


def test_study_settings_are_defaults_until_saved_and_read_afresh_each_time(learner):
    defaults = study_settings_for(learner)
    assert defaults.pk is None and defaults.new_per_day == 20
    StudySettings.objects.create(user=learner, new_per_day=3)
    assert study_settings_for(learner).new_per_day == 3  # nothing kept on the user object


@pytest.mark.parametrize(
    ("raw", "scope"),
    [
        ("lesson:kms", Scope("lesson", "kms")),
        ("tag:aurora_2", Scope("tag", "aurora_2")),
        ("exam", Scope("exam")),
        ("exam:", Scope()),
        ("exam:x", Scope()),
        ("EXAM", Scope()),
        ("all", Scope()),
        (None, Scope()),
        ("lesson:", Scope()),
        ("topic:kms", Scope("topic", "kms")),
        ("topic:", Scope()),
        ("lesson:k\x00ms", Scope()),
        ("tag:" + "x" * 201, Scope()),
    ],
)
def test_a_scope_is_parsed_from_what_names_a_lesson_topic_or_tag_and_everything_else_is_all(
    raw, scope
):
    assert Scope.parse(raw) == scope


def test_a_scope_reads_back_as_it_is_written():
    assert str(Scope()) == "all"
    assert str(Scope.parse("tag:kms")) == "tag:kms"
    assert str(Scope.parse("exam")) == "exam"


def test_has_unseen_and_next_due_at_stay_in_the_scope(learner):
    lesson = make_lesson(slug="only-this")
    seen = make_card(lesson=lesson).prompts.get()
    later = make_card(lesson=lesson).prompts.get()
    elsewhere = make_card().prompts.get()
    put_state(learner, seen, state=2, due=NOW + dt.timedelta(days=3))
    put_state(learner, later, state=2, due=NOW + dt.timedelta(days=5))
    put_state(learner, elsewhere, state=2, due=NOW + dt.timedelta(days=1))
    in_lesson = Scope.parse("lesson:only-this")
    assert next_due_at(learner, in_lesson) == NOW + dt.timedelta(days=3)
    assert next_due_at(learner, EVERYTHING) == NOW + dt.timedelta(days=1)
    assert not has_unseen(learner, in_lesson)
    make_card(lesson=lesson)
    assert has_unseen(learner, in_lesson)
    assert next_due_at(learner, Scope.parse("tag:none")) is None


def test_mastery_is_the_mean_recall_at_the_horizon_over_a_lessons_prompts_unseen_counting_zero(
    learner,
):
    lesson = make_lesson()
    studied, _unstudied = (make_card(lesson=lesson).prompts.get() for _ in range(2))
    retired = make_card(lesson=lesson)
    Card.objects.filter(pk=retired.pk).update(is_active=False)
    put_state(learner, studied, state=2, due=NOW)
    PromptState.objects.filter(prompt=studied).update(stability=10.0, last_review=NOW)
    put_state(make_user(), studied, state=2, due=NOW)  # another learner's state: not counted
    without_cards = make_lesson()
    in_a_month = known_horizon(NOW)

    mastery = mastery_by_lesson(learner, [lesson.pk, without_cards.pk], in_a_month)
    assert list(mastery) == [lesson.pk]  # a lesson without cards has no mastery
    assert mastery[lesson.pk].cards == 2  # the retired card does not count
    recall = retrievability(
        Memory.from_row(PromptState.objects.get(user=learner)),
        in_a_month.moment,
        make_scheduler(),
    )
    assert mastery[lesson.pk].known == pytest.approx(recall / 2)  # 1 of 2 cards, faded
    assert 0.3 < mastery[lesson.pk].known < 0.45
    right_now = mastery_by_lesson(learner, [lesson.pk], KnownHorizon(moment=NOW))
    assert right_now[lesson.pk].known == pytest.approx(0.5)  # what "known now" used to say
    assert mastery_by_lesson(AnonymousUser(), [lesson.pk], in_a_month)[lesson.pk].known == 0
    assert mastery_by_lesson(AnonymousUser(), [lesson.pk], in_a_month)[lesson.pk].cards == 2
    assert mastery_by_lesson(learner, [], in_a_month) == {}


def test_one_pass_through_new_cards_reads_well_below_a_month_of_reviews():
    """Issue 12: after one pass through new cards "known" read 100%. Two learners, the same
    lesson, graded through the real service with the clock moved: one saw each card once
    today (Good), the other has reviewed them whenever due for a month."""
    lesson = make_lesson()
    prompts = [make_card(lesson=lesson).prompts.get() for _ in range(5)]
    once, month = make_user(), make_user()
    now = NOW
    for prompt in prompts:
        grade_now(once, prompt, Review.Rating.GOOD, now - dt.timedelta(minutes=10))
    start = now - dt.timedelta(days=30)
    for day in range(31):
        moment = start + dt.timedelta(days=day)
        for prompt in prompts:
            # Learning steps are minutes long: graded again within the day until in review.
            for _ in range(3):
                state = PromptState.objects.filter(user=month, prompt=prompt).first()
                if state is not None and state.due > moment:
                    break
                grade_now(month, prompt, Review.Rating.GOOD, moment)
                moment += dt.timedelta(minutes=15)

    def known(user) -> float:
        study_settings = study_settings_for(user)
        return mastery_by_lesson(user, [lesson.pk], horizon_for(study_settings, now))[
            lesson.pk
        ].known

    def known_right_now(user) -> float:
        return mastery_by_lesson(user, [lesson.pk], KnownHorizon(moment=now))[lesson.pk].known

    # Retrievability now, the old figure, calls both learners' lesson known.
    assert known_right_now(once) > 0.95 and known_right_now(month) > 0.95
    assert known(once) < 0.75
    assert known(month) > 0.85
    assert known(month) - known(once) > 0.2


def test_with_an_exam_ahead_known_is_taken_on_the_exam_day(learner):
    lesson = make_lesson()
    prompt = make_card(lesson=lesson).prompts.get()
    grade_now(learner, prompt, Review.Rating.GOOD, NOW - dt.timedelta(minutes=10))

    def known() -> float:
        horizon = horizon_for(study_settings_for(learner), NOW)
        return mastery_by_lesson(learner, [lesson.pk], horizon)[lesson.pk].known

    in_a_month = known()
    settings = StudySettings.objects.create(user=learner, exam_date=NOW.date() + dt.timedelta(3))
    soon = known()
    settings.exam_date = NOW.date() + dt.timedelta(days=90)
    settings.save()
    late = known()
    settings.exam_date = NOW.date()  # today: no longer ahead, so back to 30 days
    settings.save()
    assert late < in_a_month < soon < 1
    assert known() == in_a_month


def test_card_figures_add_up_reviews_agains_lapses_and_leeches_across_learners():
    card = make_card()
    other = make_card()
    prompt = card.prompts.get()
    first, second = make_user(), make_user()
    for user, ratings in ((first, (3, 1, 1)), (second, (3, 3))):
        for rating in ratings:
            Review.objects.create(
                user=user, prompt=prompt, rating=rating, reviewed_at=NOW, state_after=2, after={}
            )
    put_state(first, prompt, state=2, due=NOW)
    put_state(second, prompt, state=2, due=NOW)
    PromptState.objects.filter(user=first).update(lapses=LEECH_LAPSES)
    PromptState.objects.filter(user=second).update(lapses=2)

    figures = {row.pk: row for row in card_figures(Card.objects.all())}
    row = figures[card.pk]
    assert (row.review_count, row.again_count, row.lapse_total, row.leech_count) == (5, 2, 10, 1)
    row = figures[other.pk]  # never studied: zeros, not None
    assert (row.review_count, row.again_count, row.lapse_total, row.leech_count) == (0, 0, 0, 0)


def test_the_due_queue_query_is_an_index_range_scan_on_user_and_due():
    """The due-queue query uses the (user, due) index, on SQLite and on PostgreSQL."""
    # Enough learners that reading one learner's due cards by index is clearly the best plan.
    call_command("generate_dataset", learners=60, cards=40, history=0, stdout=StringIO())
    user = get_user_model().objects.get(username="load000030")
    assert_scans_user_due_index(_due_states(user, Scope(), timezone.now()))


def assert_scans_user_due_index(states) -> None:
    sql, params = states.order_by("due").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING INDEX state_user_due (user_id=? AND due<?)" in plan
        else:
            cursor.execute("ANALYZE")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "state_user_due" in plan
            assert "Seq Scan on flashcards_promptstate" not in plan


# Learn-ahead (issue 12): learning cards due within the limit are served once nothing else is.


def test_learning_cards_due_within_the_limit_come_after_everything_else(learner):
    lesson = make_lesson()
    soon, later, review, new = (make_card(lesson=lesson, front=f) for f in "SLRN")
    put_state(learner, soon.prompts.get(), state=1, due=NOW + dt.timedelta(minutes=5))
    put_state(learner, later.prompts.get(), state=1, due=NOW + dt.timedelta(minutes=30))
    put_state(learner, review.prompts.get(), state=2, due=NOW - dt.timedelta(days=1))
    settings = study_settings_for(learner)
    ahead = NOW + dt.timedelta(minutes=settings.learn_ahead_minutes)

    counts = queue_counts(learner, EVERYTHING, settings, NOW)
    assert (counts.learning, counts.learning_now, counts.review, counts.new) == (1, 0, 1, 1)
    served = []
    for _ in range(4):
        counts = queue_counts(learner, EVERYTHING, settings, NOW)
        item = next_prompt(learner, EVERYTHING, counts, NOW, ahead)
        if item is None:
            break
        served.append(item.prompt.card.front)
        PromptState.objects.filter(user=learner, prompt=item.prompt).delete()
        put_state(learner, item.prompt, state=2, due=NOW + dt.timedelta(days=9))
    assert served == ["R", "N", "S"]  # the card due in 30 minutes waits


def test_without_a_learn_ahead_limit_a_learning_card_waits_until_it_is_due(learner):
    prompt = make_card().prompts.get()
    put_state(learner, prompt, state=3, due=NOW + dt.timedelta(minutes=1))
    settings = StudySettings(user=learner, learn_ahead_minutes=0)
    counts = queue_counts(learner, EVERYTHING, settings, NOW)
    assert counts.total == 0
    assert next_prompt(learner, EVERYTHING, counts, NOW, NOW) is None
    settings.learn_ahead_minutes = 1
    counts = queue_counts(learner, EVERYTHING, settings, NOW)
    assert counts.learning == 1
    ahead = NOW + dt.timedelta(minutes=1)
    assert next_prompt(learner, EVERYTHING, counts, NOW, ahead).prompt == prompt


def test_done_counts_todays_grades_in_the_scope_once_each_whatever_its_tags(learner):
    lesson = make_lesson(slug="kms")
    tagged = make_card(lesson=lesson)
    tagged.tags.create(slug="one")
    tagged.tags.create(slug="two")
    elsewhere = make_card().prompts.get()
    yesterday = NOW - dt.timedelta(days=1)
    for prompt, when in (
        (tagged.prompts.get(), yesterday),
        (tagged.prompts.get(), NOW - dt.timedelta(minutes=5)),
        (elsewhere, NOW - dt.timedelta(minutes=4)),
    ):
        Review.objects.create(
            user=learner, prompt=prompt, rating=3, reviewed_at=when, state_after=1, after={}
        )
    settings = study_settings_for(learner)
    assert queue_counts(learner, EVERYTHING, settings, NOW).done == 2
    assert queue_counts(learner, Scope("lesson", "kms"), settings, NOW).done == 1
    assert queue_counts(learner, Scope("tag", "one"), settings, NOW).done == 1
    # Both of today's grades started a new card (state_before is null): the limit counts them.
    assert queue_counts(learner, EVERYTHING, settings, NOW).new_allowed == 18


def test_the_queue_counts_are_one_round_trip_new_cards_counted_within_todays_allowance(learner):
    lesson = make_lesson(slug="kms")
    cards = [make_card(lesson=lesson, front=f"C{n}") for n in range(5)]
    put_state(learner, cards[0].prompts.get(), state=2, due=NOW - dt.timedelta(days=1))
    Review.objects.create(
        user=learner,
        prompt=cards[0].prompts.get(),
        rating=3,
        reviewed_at=NOW - dt.timedelta(minutes=5),
        state_after=2,
        after={},
    )
    settings = StudySettings(user=learner, new_per_day=3)
    with CaptureQueriesContext(connection) as captured:
        counts = queue_counts(learner, EVERYTHING, settings, NOW)
    assert len(captured) == 1
    # Four unseen, but one new card was started today: two more may start.
    assert (counts.review, counts.new, counts.new_allowed, counts.done) == (1, 2, 2, 1)
    settings.new_per_day = 9
    assert queue_counts(learner, EVERYTHING, settings, NOW).new == 4
    settings.new_per_day = 1
    assert queue_counts(learner, EVERYTHING, settings, NOW).new == 0


# Holding back (issue 12): siblings of a prompt studied today, suspended and buried prompts.


def cloze_prompts(lesson=None):
    card = make_card(
        lesson=lesson or make_lesson(), kind=Card.Kind.CLOZE, front="{{c1::One}} and {{c2::two}}."
    )
    return list(card.prompts.order_by("ordinal"))


def served_now(user, now, settings=None):
    """What the session would show at `now`: the next prompt's id, and the counts."""
    settings = settings or study_settings_for(user)
    holds = holds_for(user, settings, now)
    counts = queue_counts(user, EVERYTHING, settings, now, holds)
    ahead = now + dt.timedelta(minutes=settings.learn_ahead_minutes)
    item = next_prompt(user, EVERYTHING, counts, now, ahead, holds)
    return (item.prompt.pk if item else None), counts


def test_a_new_sibling_waits_for_tomorrow_once_its_card_was_studied_today(learner):
    first, second = cloze_prompts()
    grade_now(learner, first, 3, NOW)
    later = NOW + dt.timedelta(hours=1)  # the first is in learning, due again by now
    served, counts = served_now(learner, later)
    assert served == first.pk
    assert counts.new == 0  # the second deletion is not counted as left today
    PromptState.objects.filter(user=learner).update(due=NOW + dt.timedelta(days=3))
    assert served_now(learner, later)[0] is None
    assert served_now(learner, NOW + dt.timedelta(days=1))[0] == second.pk


def test_with_burying_off_a_new_sibling_comes_the_same_day(learner):
    first, second = cloze_prompts()
    grade_now(learner, first, 4, NOW)  # Easy: days away, out of the way
    settings = StudySettings(user=learner, bury_new_siblings=False)
    assert served_now(learner, NOW + dt.timedelta(minutes=1), settings)[0] == second.pk


def test_a_due_review_sibling_waits_but_a_learning_sibling_does_not(learner):
    card = make_card(kind=Card.Kind.REVERSED, front="Up", back="Down")
    forward, backward = card.prompts.order_by("ordinal")
    put_state(learner, forward, state=2, due=NOW - dt.timedelta(hours=2))
    put_state(learner, backward, state=2, due=NOW - dt.timedelta(hours=1))
    grade_now(learner, forward, 3, NOW - dt.timedelta(minutes=30))
    served, counts = served_now(learner, NOW)
    assert (served, counts.review) == (None, 0)
    settings = StudySettings(user=learner, bury_review_siblings=False)
    assert served_now(learner, NOW, settings)[0] == backward.pk
    PromptState.objects.filter(prompt=backward).update(state=3)  # relearning: served anyway
    served, counts = served_now(learner, NOW)
    assert (served, counts.learning_now) == (backward.pk, 1)


def test_suspended_and_buried_prompts_are_neither_served_nor_counted_nor_waited_for(learner):
    lesson = make_lesson()
    due, new = make_card(lesson=lesson).prompts.get(), make_card(lesson=lesson).prompts.get()
    put_state(learner, due, state=1, due=NOW + dt.timedelta(minutes=5))
    marks_change(user=learner, prompt_ids=[due.pk], suspended=True)
    marks_change(user=learner, prompt_ids=[new.pk], buried_until=NOW + dt.timedelta(hours=12))
    served, counts = served_now(learner, NOW)
    assert (served, counts.total) == (None, 0)
    holds = holds_for(learner, study_settings_for(learner), NOW)
    assert next_due_at(learner, EVERYTHING, holds) is None
    assert not has_unseen(learner, EVERYTHING, holds)
    assert served_now(learner, NOW + dt.timedelta(hours=13))[0] == new.pk  # the burial ended
    marks_change(user=learner, prompt_ids=[due.pk], suspended=False)
    assert served_now(learner, NOW)[0] == due.pk


def test_the_due_queue_with_holds_still_scans_the_user_due_index():
    call_command("generate_dataset", learners=60, cards=40, history=0, stdout=StringIO())
    user = get_user_model().objects.get(username="load000030")
    now = timezone.now()
    holds = holds_for(user, study_settings_for(user), now)
    assert_scans_user_due_index(
        _due_states(user, Scope(), now, now + dt.timedelta(minutes=20), holds)
    )


def a_deck_of_every_kind(learner, other):
    """Two learners' states of every kind, in two lessons of two topics, tagged and not, an
    exam card, siblings, marks and today's grades, so that each query shape has rows."""
    topic = make_topic(slug="storage")
    first, second = make_lesson(slug="first", topic=topic), make_lesson(slug="second")
    cards = [make_card(lesson=first, exam="On the exam.") for _ in range(3)]
    cards += [make_card(lesson=second) for _ in range(3)]
    cards[1].tags.create(slug="kms")
    cards[4].tags.add(cards[1].tags.get())
    cloze = cloze_prompts(first) + cloze_prompts(second)
    prompts = [card.prompts.get() for card in cards] + cloze
    for user, shift in ((learner, 0), (other, 1)):
        put_state(user, prompts[0 + shift], state=1, due=NOW - dt.timedelta(minutes=5))
        put_state(user, prompts[2], state=1, due=NOW + dt.timedelta(minutes=10 + shift))
        put_state(user, prompts[3 + shift], state=2, due=NOW + dt.timedelta(hours=6))
        put_state(user, prompts[5], state=2, due=NOW + dt.timedelta(days=3 + shift))
        put_state(user, prompts[6], state=3, due=NOW - dt.timedelta(hours=1 + shift))
        grade_now(user, cloze[2], 1, NOW - dt.timedelta(hours=2))
        marks_change(user=user, prompt_ids=[prompts[4 - shift].pk], flag=2 + shift)
    marks_change(user=learner, prompt_ids=[prompts[3].pk], suspended=True)
    introduce(other, prompts[1], NOW - dt.timedelta(hours=3))
    return prompts


@pytest.mark.parametrize("bury", [True, False])
def test_each_compiled_queue_query_gives_what_the_orm_gives_with_the_same_values(learner, bury):
    """The queue's queries are compiled once per shape with stand-in values
    (`flashcards.selectors._by_shape`); for every scope, mode and holds, each gives the rows
    or objects the ORM gives when built with the real values, for either learner."""
    from flashcards import selectors

    other = make_user(username="other")
    a_deck_of_every_kind(learner, other)
    scopes = ["all", "lesson:first", "topic:storage", "tag:kms", "exam", "lesson:none"]
    began = int((NOW - dt.timedelta(hours=12)).timestamp())
    modes = ["", "/ahead:7", f"/forgotten:{began}-{int(NOW.timestamp())}"]
    compared = 0
    for user in (learner, other):
        settings = StudySettings(user=user, bury_new_siblings=bury, bury_review_siblings=bury)
        holds = holds_for(user, settings, NOW)
        for text in scopes:
            for mode in modes:
                scope = Scope.parse(text + mode)
                for ahead in (None, NOW + dt.timedelta(minutes=20)):
                    window = selectors._window(scope, NOW, ahead, holds)
                    values = selectors._values(
                        user, scope, window, holds, day_began=NOW - dt.timedelta(hours=12)
                    )
                    shape = selectors._Shape.of(scope, holds)
                    due = selectors._DUE_COUNTS(shape).rows(**values)
                    assert due == list(selectors._due_counts(user, scope, window, holds))
                    states = selectors._NEXT_DUE(shape).objects(**values)
                    expected = list(
                        selectors._due_queue_in(user, scope, window, holds).annotate(
                            flag=selectors.flag_of(user, "prompt_id")
                        )[:1]
                    )
                    assert [
                        (s.pk, s.prompt.pk, s.prompt.card.lesson.slug, s.flag, s.due)
                        for s in states
                    ] == [
                        (s.pk, s.prompt.pk, s.prompt.card.lesson.slug, s.flag, s.due)
                        for s in expected
                    ]
                    compared += bool(due) + bool(states)
                new = selectors._NEXT_NEW(shape).objects(**values)
                expected = list(
                    selectors.new_prompts_in_order(user, scope, holds).annotate(
                        flag=selectors.flag_of(user, "pk")
                    )[:1]
                )
                assert [(p.pk, p.card.lesson.slug, p.flag) for p in new] == [
                    (p.pk, p.card.lesson.slug, p.flag) for p in expected
                ]
                unseen = selectors._UNSEEN(selectors._Shape.of(scope, holds))
                for allowed in (1, 3, None):
                    expected = selectors.unseen_prompts(user, scope, holds)[:allowed].count()
                    assert unseen.count(at_most=allowed, **values) == expected
                for own_limit in (True, False):
                    today = selectors._TODAY(selectors._Shape.of(scope, None, own_limit))
                    assert today.rows(**values) == list(
                        selectors._todays_grades(
                            user, scope, NOW - dt.timedelta(hours=12), own_limit
                        )
                    )
    assert compared > 20  # most shapes had rows to compare, not only empty results


def test_unseen_counts_leave_out_retired_cards_drafts_and_what_the_learner_has_seen(learner):
    make_card()
    retired = make_card()
    retired.is_active = False
    retired.save()
    make_card(lesson=make_lesson(status="draft"))
    other_lesson = make_lesson(slug="elsewhere")
    make_card(lesson=other_lesson)
    seen = make_card(lesson=other_lesson).prompts.get()
    PromptState.objects.create(user=learner, prompt=seen, state=2, due=timezone.now())
    assert unseen_count(learner) == 2
    assert unseen_count(learner, Scope("lesson", "elsewhere")) == 1
    assert unseen_count(make_user(username="newcomer")) == 3
    assert Prompt.objects.count() == 5
