"""The study page at one moment: its running session figures, its summary and what it says."""

from __future__ import annotations

import datetime as dt

import pytest

from flashcards.models import PromptState, Review, StudySettings
from flashcards.selectors import NextPrompt, QueueCounts, Scope
from flashcards.study import (
    SESSION_KEY,
    StudyPage,
    Summary,
    build_study_page,
    record_grade,
    record_undo,
    session_figures,
)
from flashcards.tokens import grade_token
from flashcards.undo import push_grade
from tests.conftest import grade_now, make_card, make_lesson

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
KMS = Scope("lesson", "kms")


def graded(pk: int, rating: int, duration_ms: int | None = 2000) -> Review:
    return Review(pk=pk, rating=rating, duration_ms=duration_ms)


def test_a_session_is_counted_afresh_for_another_scope():
    session = {}
    record_grade(session, KMS, graded(1, Review.Rating.GOOD), lesson_id=7)
    assert session_figures(session, KMS)["reviewed"] == 1
    assert session_figures(session, Scope())["reviewed"] == 0


def test_the_exam_scope_keeps_session_figures_of_its_own():
    session = {}
    exam = Scope.parse("exam")
    record_grade(session, exam, graded(1, Review.Rating.GOOD), lesson_id=7)
    assert session[SESSION_KEY]["scope"] == "exam"
    assert session_figures(session, exam)["reviewed"] == 1
    assert session_figures(session, Scope())["reviewed"] == 0


def test_grades_add_up_reviews_agains_time_and_lessons_once_each():
    session = {}
    record_grade(session, KMS, graded(1, Review.Rating.AGAIN), lesson_id=7)
    record_grade(session, KMS, graded(2, Review.Rating.GOOD, duration_ms=None), lesson_id=7)
    record_grade(session, KMS, graded(3, Review.Rating.EASY, duration_ms=500), lesson_id=9)
    figures = session[SESSION_KEY]
    assert (figures["reviewed"], figures["again"], figures["ms"]) == (3, 1, 2500)
    assert figures["lessons"] == [7, 9]


def test_a_grade_after_the_summary_starts_a_new_session():
    session = {}
    record_grade(session, KMS, graded(1, Review.Rating.AGAIN), lesson_id=7)
    session[SESSION_KEY]["done"] = True
    record_grade(session, KMS, graded(2, Review.Rating.GOOD), lesson_id=8)
    figures = session[SESSION_KEY]
    assert (figures["reviewed"], figures["again"], figures["lessons"]) == (1, 0, [8])


def test_an_undo_takes_the_grade_back_out_never_below_zero():
    session = {}
    record_grade(session, KMS, graded(1, Review.Rating.AGAIN), lesson_id=7)
    session[SESSION_KEY]["done"] = True
    record_undo(session, KMS, graded(1, Review.Rating.AGAIN))
    figures = session[SESSION_KEY]
    assert (figures["reviewed"], figures["again"], figures["ms"]) == (0, 0, 0)
    assert not figures["done"]
    record_undo(session, KMS, graded(1, Review.Rating.AGAIN))
    assert session[SESSION_KEY]["reviewed"] == 0


def test_the_summary_gives_the_again_rate_and_time_in_words():
    assert Summary(reviewed=3, again=1, seconds=59, next_due=None).again_rate == 33
    assert Summary(reviewed=0, again=0, seconds=0, next_due=None).again_rate == 0
    assert Summary(reviewed=1, again=0, seconds=59, next_due=None).minutes == "59 s"
    assert Summary(reviewed=1, again=0, seconds=125, next_due=None).minutes == "2 min 5 s"


def test_the_announcement_says_where_the_session_is():
    counts = QueueCounts(learning=1, review=2, new=3)
    item = NextPrompt(prompt=None, state=PromptState(lapses=8))
    summary = Summary(reviewed=4, again=0, seconds=0, next_due=None)
    assert StudyPage(Scope(), QueueCounts(learning=1, review=2, new=3, done=4)).progress_max == 10
    assert StudyPage(Scope(), counts).announcement == "Nothing is due."
    assert StudyPage(Scope(), counts, item=item).announcement == "Next card. 6 left."
    revealed = StudyPage(Scope(), counts, item=item, revealed=True)
    assert revealed.announcement.startswith("Answer shown.")
    done = StudyPage(Scope(), counts, summary=summary)
    assert done.announcement == "Session done: 4 cards reviewed."
    assert StudyPage(Scope(), counts, item=item).is_leech
    assert not StudyPage(Scope(), counts, item=NextPrompt(prompt=None, state=None)).is_leech


@pytest.mark.django_db
def test_a_revealed_card_offers_four_grades_with_their_intervals(learner):
    make_card(lesson=make_lesson(slug="kms"), section="first-part")
    other = make_card().prompts.get()  # a prompt outside the scope
    settings = StudySettings(user=learner)
    shown = build_study_page(user=learner, session={}, scope=KMS, study_settings=settings, now=NOW)
    assert not shown.revealed and not shown.grades
    assert shown.section_url == "/lessons/kms/#first-part"
    revealed = build_study_page(
        user=learner, session={}, scope=KMS, study_settings=settings, now=NOW, reveal=shown.token
    )
    assert revealed.revealed
    assert [(grade.rating, grade.label) for grade in revealed.grades] == [
        (1, "Again"),
        (2, "Hard"),
        (3, "Good"),
        (4, "Easy"),
    ]
    assert all(grade.interval for grade in revealed.grades)
    for token in (
        "nonsense",
        grade_token(user_id=learner.pk, prompt_id=other.pk, version=0, shown_at=NOW),
    ):
        refused = build_study_page(
            user=learner, session={}, scope=KMS, study_settings=settings, now=NOW, reveal=token
        )
        assert not refused.revealed


@pytest.mark.django_db
def test_the_summary_is_shown_once_when_the_queue_empties(learner):
    lesson = make_lesson(slug="kms", title="KMS")
    prompt = make_card(lesson=lesson).prompts.get()
    review = grade_now(learner, prompt, Review.Rating.GOOD, NOW).review
    session = {}
    record_grade(session, KMS, review, lesson_id=lesson.pk)
    push_grade(session, KMS, review)
    # The card is learning again in ten minutes, beyond a five-minute learn-ahead limit.
    settings = StudySettings(user=learner, learn_ahead_minutes=5)
    later = NOW + dt.timedelta(minutes=1)

    page = build_study_page(
        user=learner, session=session, scope=KMS, study_settings=settings, now=later
    )
    assert page.item is None
    assert page.summary.reviewed == 1
    assert page.wait_seconds == 9 * 60 + 1  # the page asks again when it is due
    assert [found.title for found, _mastery in page.summary.lessons] == ["KMS"]
    assert page.undo
    assert page.next_due == PromptState.objects.get(user=learner).due
    again = build_study_page(
        user=learner, session=session, scope=KMS, study_settings=settings, now=later
    )
    assert again.summary is None


def test_the_page_waits_for_a_card_due_later_today_and_not_for_one_due_tomorrow():
    from flashcards.study import wait_seconds

    assert wait_seconds(None, NOW, "UTC") is None
    assert wait_seconds(NOW + dt.timedelta(minutes=30), NOW, "UTC") == 30 * 60 + 1
    assert wait_seconds(NOW + dt.timedelta(seconds=0.2), NOW, "UTC") == 2
    assert wait_seconds(NOW + dt.timedelta(hours=13), NOW, "UTC") is None  # past midnight
    # 12:00 UTC is 01:00 in Auckland on the next day: 13 hours later is still that day.
    assert wait_seconds(NOW + dt.timedelta(hours=13), NOW, "Pacific/Auckland") == 13 * 3600 + 1


@pytest.mark.django_db
def test_learning_cards_come_back_in_the_session_and_the_counters_follow_the_database(learner):
    lesson = make_lesson(slug="kms")
    for front in ("A?", "B?"):
        make_card(lesson=lesson, front=front)
    settings = StudySettings(user=learner)
    session = {}
    now = NOW
    served = []
    for rating in (Review.Rating.AGAIN, 3, 3, 3, 3):
        page = build_study_page(
            user=learner, session=session, scope=KMS, study_settings=settings, now=now
        )
        assert page.done == Review.objects.filter(user=learner).count()
        served.append(page.item.prompt.card.front)
        result = grade_now(learner, page.item.prompt, rating, now)
        record_grade(session, KMS, result.review, lesson_id=lesson.pk)
        now += dt.timedelta(seconds=20)
    assert served == ["A?", "B?", "A?", "B?", "A?"]
    page = build_study_page(
        user=learner, session=session, scope=KMS, study_settings=settings, now=now
    )
    assert page.item is None and page.summary.reviewed == 5
    assert (page.done, page.counts.total) == (5, 0)
    assert page.wait_seconds is None  # both in review, due days from now


def test_the_flag_menu_sets_a_colour_and_the_colour_set_clears_it():
    counts = QueueCounts(learning=0, review=0, new=1, new_allowed=1, done=0)
    page = StudyPage(Scope(), counts, item=NextPrompt(prompt=None, state=None, flag=2))
    buttons = {button.label: (button.value, button.pressed) for button in page.flag_buttons}
    assert buttons == {
        "Red": (1, False),
        "Orange": (0, True),  # pressing it again clears the flag, as Ctrl+2 in Anki
        "Green": (3, False),
        "Blue": (4, False),
        "No flag": (0, False),
    }
    assert page.flag_label == "Orange"
