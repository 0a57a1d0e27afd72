"""The practice test pages: starting, one question a page (plain and htmx), review, submit,
result, past tests, and what a learner may not do (another's test, a submitted test, after
the deadline)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from flashcards.card_sync import cards_sync_from_note
from flashcards.models import Prompt, Review, StudySettings
from flashcards.questions import parse_questions
from practice.models import Answer, Attempt
from tests.conftest import make_lesson, make_user
from tests.practice.conftest import short_question_text, three_option_questions
from tests.practice.test_answers import TWO_RIGHT

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def begin(client: Client, scope: str, count: int = 10, timed: bool = False) -> Attempt:
    data = {"scope": scope, "count": count} | ({"timed": "on"} if timed else {})
    response = client.post("/practice/new/", data)
    assert response.status_code == 302, response.content.decode()
    attempt = Attempt.objects.latest("pk")
    assert response["Location"] == f"/practice/{attempt.pk}/1/"
    return attempt


@pytest.fixture
def lesson_questions():
    return three_option_questions(3)


@pytest.fixture
def scope(lesson_questions) -> str:
    return f"lesson:{lesson_questions[0].card.lesson.slug}"


def test_a_visitor_is_sent_to_log_in(client, scope):
    for url in ("/practice/", f"/practice/new/?scope={scope}"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_start_page_offers_the_form_with_ten_questions_by_default(learner_client, scope):
    page = learner_client.get(f"/practice/new/?scope={scope}").content.decode()
    assert 'name="count"' in page and 'value="10"' in page and 'name="timed"' in page


def test_a_scope_with_no_questions_says_so_instead_of_starting(learner_client):
    lesson = make_lesson()
    page = learner_client.get(f"/practice/new/?scope=lesson:{lesson.slug}").content.decode()
    assert "no practice questions here" in page and 'name="count"' not in page
    response = learner_client.post("/practice/new/", {"scope": f"lesson:{lesson.slug}", "count": 5})
    assert response.status_code == 200 and "no practice questions here" in response.content.decode()
    assert not Attempt.objects.exists()


def test_an_unknown_or_draft_scope_is_a_404(learner_client):
    draft = make_lesson(status="draft")
    for scope in ("lesson:nope", f"lesson:{draft.slug}", "tag:x", "topic:a b"):
        assert learner_client.get(f"/practice/new/?scope={scope}").status_code == 404


@pytest.mark.parametrize("count", [0, 66, "x"])
def test_a_count_out_of_range_is_shown_again_with_the_error(learner_client, scope, count):
    response = learner_client.post("/practice/new/", {"scope": scope, "count": count})
    assert response.status_code == 200 and 'class="field__error"' in response.content.decode()
    assert not Attempt.objects.exists()


def test_the_question_page_never_shows_which_options_are_right(learner_client):
    lesson = make_lesson()
    cards_sync_from_note(lesson=lesson, specs=parse_questions(TWO_RIGHT))
    prompt = Prompt.objects.get(card__lesson=lesson)
    attempt = begin(learner_client, f"lesson:{lesson.slug}")
    page = learner_client.get(f"/practice/{attempt.pk}/1/").content.decode()
    assert "Which two keep a copy past 35 days?" in page and "Choose two." in page
    assert page.count('type="checkbox" name="picks"') == 4
    for option in prompt.options:
        assert option["html"] in page
        assert option["why_html"] not in page
    assert prompt.back_html not in page
    assert not re.search(r"\bright\b|\bwhy\b", page.split('id="practice-question"')[1], re.I)


def test_one_answer_questions_are_radios_and_reloading_never_reshuffles(learner_client, scope):
    attempt = begin(learner_client, scope)
    first = learner_client.get(f"/practice/{attempt.pk}/1/").content.decode()
    assert first.count('type="radio" name="picks"') == 3 and "Choose" not in first
    # The question and its options (the CSRF field's masked token differs each time).
    question = first.split("<fieldset")[1].split("</fieldset>")[0]
    for _ in range(3):
        again = learner_client.get(f"/practice/{attempt.pk}/1/", **HTMX).content.decode()
        assert question in again and "<html" not in again
    assert learner_client.get(f"/practice/{attempt.pk}/4/").status_code == 404


def test_moving_between_questions_keeps_picks_and_flags(learner_client, scope):
    attempt = begin(learner_client, scope)
    url = f"/practice/{attempt.pk}/"
    response = learner_client.post(url + "1/", {"picks": "A", "flagged": "1", "go": "next"})
    assert response["Location"] == url + "2/"
    response = learner_client.post(url + "2/", {"picks": "B", "go": "previous"})
    assert response["Location"] == url + "1/"
    page = learner_client.get(url + "1/").content.decode()
    assert 'value="A" id="pick-A" checked' in page and 'id="practice-flagged" checked' in page
    # The map: answered and flagged marks, and a jump to any question.
    assert 'aria-label="Question 1, answered, flagged">1 ⚑</button>' in page
    assert 'aria-label="Question 3, not answered">3</button>' in page
    assert learner_client.post(url + "1/", {"picks": "A", "go": "3"})["Location"] == url + "3/"
    assert learner_client.post(url + "3/", {"go": "review"})["Location"] == url + "review/"
    assert dict(attempt.questions.values_list("position", "chosen")) == {1: "A", 2: "B", 3: ""}
    # Unflagged once the box is cleared.
    assert not attempt.questions.get(position=1).flagged


def test_with_htmx_a_move_swaps_the_question_fragment(learner_client, scope):
    attempt = begin(learner_client, scope)
    full = learner_client.get(f"/practice/{attempt.pk}/1/")
    assert "<html" in full.content.decode() and full["Vary"].count("HX-Request")
    response = learner_client.post(
        f"/practice/{attempt.pk}/1/", {"picks": "C", "go": "next"}, **HTMX
    )
    fragment = response.content.decode()
    assert response.status_code == 200 and "<html" not in fragment
    assert 'id="practice-question"' in fragment and "Question 2 of 3" in fragment
    assert response["HX-Push-Url"] == f"/practice/{attempt.pk}/2/"
    review = learner_client.post(f"/practice/{attempt.pk}/2/", {"go": "review"}, **HTMX)
    assert review["HX-Redirect"] == f"/practice/{attempt.pk}/review/"


def test_the_review_page_lists_unanswered_and_flagged_questions(learner_client, scope):
    attempt = begin(learner_client, scope)
    learner_client.post(f"/practice/{attempt.pk}/1/", {"picks": "A", "flagged": "1"})
    page = learner_client.get(f"/practice/{attempt.pk}/review/").content.decode()
    assert "2 unanswered, 1 flagged" in page
    unanswered, flagged = page.split("Not answered")[1].split("Flagged for review")
    assert "Question 2" in unanswered and "Question 3" in unanswered
    assert "Question 1" in flagged and "Question 2" not in flagged
    assert f'action="/practice/{attempt.pk}/submit/"' in page


def test_submitting_shows_the_result_with_every_explanation(learner_client, scope):
    attempt = begin(learner_client, scope)
    learner_client.post(f"/practice/{attempt.pk}/1/", {"picks": "B"})
    learner_client.post(f"/practice/{attempt.pk}/2/", {"picks": "A"})
    response = learner_client.post(f"/practice/{attempt.pk}/submit/")
    assert response["Location"] == f"/practice/{attempt.pk}/result/"
    page = learner_client.get(response["Location"]).content.decode()
    lesson = attempt.questions.first().prompt.card.lesson
    assert "1 of 3 right (33%)" in page
    assert f'<th scope="row">{lesson.title}</th><td>1/3</td><td>33%</td>' in page
    assert page.count("Why A is") == 3 and page.count("Why C is") == 3
    assert "Your answer: B. The right answer: B." in page
    assert "Your answer: none." in page
    assert f'href="/lessons/{lesson.slug}/#second-part"' in page
    assert "Add the 2 I missed to my study queue now" in page
    assert Answer.objects.filter(attempt=attempt, source="test").count() == 2


def test_a_submitted_test_cannot_be_changed(learner_client, scope):
    attempt = begin(learner_client, scope)
    learner_client.post(f"/practice/{attempt.pk}/submit/")
    result = f"/practice/{attempt.pk}/result/"
    for url, data in (
        (f"/practice/{attempt.pk}/1/", {"picks": "B", "go": "next"}),
        (f"/practice/{attempt.pk}/submit/", {}),
    ):
        response = learner_client.post(url, data, follow=True)
        assert response.redirect_chain == [(result, 302)]
        assert "already submitted" in response.content.decode()
    htmx = learner_client.post(f"/practice/{attempt.pk}/1/", {"picks": "B"}, **HTMX)
    assert htmx["HX-Redirect"] == result
    assert learner_client.get(f"/practice/{attempt.pk}/1/")["Location"] == result
    assert learner_client.get(f"/practice/{attempt.pk}/review/")["Location"] == result
    assert not attempt.questions.exclude(chosen="").exists()
    assert Attempt.objects.get(pk=attempt.pk).right_count == 0


def test_a_timed_test_shows_the_time_left_and_ends_at_its_deadline(learner_client, scope):
    attempt = begin(learner_client, scope, timed=True)
    page = learner_client.get(f"/practice/{attempt.pk}/1/").content.decode()
    assert re.search(r'<time id="practice-time-left" datetime="PT3[0-9]{2}S"', page)
    assert "js/practice.js" in page
    learner_client.post(f"/practice/{attempt.pk}/1/", {"picks": "B"})
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    response = learner_client.post(f"/practice/{attempt.pk}/2/", {"picks": "B"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/practice/{attempt.pk}/result/"
    assert "Time is up" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.right_count == 1
    assert attempt.questions.get(position=2).chosen == ""


def test_an_expired_test_is_submitted_when_opened(learner_client, scope):
    attempt = begin(learner_client, scope, timed=True)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    response = learner_client.get(f"/practice/{attempt.pk}/result/", follow=True)
    assert "Time is up" in response.content.decode()
    assert Attempt.objects.get(pk=attempt.pk).is_submitted


def test_past_tests_show_score_or_resume_and_only_the_learners_own(learner_client, scope):
    done = begin(learner_client, scope)
    learner_client.post(f"/practice/{done.pk}/1/", {"picks": "B"})
    learner_client.post(f"/practice/{done.pk}/submit/")
    open_one = begin(learner_client, scope)
    other = Client()
    other.force_login(make_user())
    begin(other, scope)
    page = learner_client.get("/practice/").content.decode()
    assert f'href="/practice/{open_one.pk}/1/">Resume' in page
    # Resume goes to the first question not answered yet.
    learner_client.post(f"/practice/{open_one.pk}/1/", {"picks": "B"})
    page = learner_client.get("/practice/").content.decode()
    assert f'href="/practice/{open_one.pk}/2/">Resume' in page
    assert f'href="/practice/{done.pk}/result/">Result' in page
    assert page.count("<tr>") == 3  # the head's row and two tests


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "1/"),
        ("post", "1/"),
        ("get", "review/"),
        ("post", "submit/"),
        ("get", "result/"),
        ("post", "study-missed/"),
    ],
)
def test_another_learners_test_is_a_404(learner_client, scope, method, path):
    other = Client()
    other.force_login(make_user())
    theirs = begin(other, scope)
    response = getattr(learner_client, method)(f"/practice/{theirs.pk}/{path}")
    assert response.status_code == 404
    assert not theirs.questions.exclude(chosen="").exists()


def test_the_missed_questions_go_to_the_study_queue_now_and_once(learner_client, scope):
    attempt = begin(learner_client, scope)
    learner_client.post(f"/practice/{attempt.pk}/submit/")
    # Never studied, and today's new cards all taken: missed in the test, they come anyway.
    StudySettings.objects.create(user=attempt.user, new_per_day=0)
    assert "Question 0: which one?" not in learner_client.get("/study/").content.decode()
    response = learner_client.post(f"/practice/{attempt.pk}/study-missed/", follow=True)
    assert "3 questions due now in your study queue." in response.content.decode()
    assert re.search(r"Question [0-2]: which one\?", learner_client.get("/study/").content.decode())
    again = learner_client.post(f"/practice/{attempt.pk}/study-missed/", follow=True)
    assert "already in your study queue" in again.content.decode()
    assert Review.objects.filter(user=attempt.user).count() == 3


def reword(lesson, number: int, right: str) -> None:
    """Re-import the lesson's questions with question `number`'s right option moved."""
    text = "\n".join(
        short_question_text(n, right=right if n == number else "B", section="second-part")
        for n in range(3)
    )
    cards_sync_from_note(lesson=lesson, specs=parse_questions(text))


def test_a_question_edited_mid_test_is_asked_graded_and_shown_as_the_test_began(
    learner_client, scope, lesson_questions
):
    attempt = begin(learner_client, scope)
    first = attempt.questions.get(position=1)
    number = int(re.search(r"Question (\d)", first.prompt.front_html)[1])
    lesson = lesson_questions[0].card.lesson
    reword(lesson, number, right="A")
    first.prompt.refresh_from_db()
    assert first.prompt.options[0]["right"]  # the card now says A
    page = learner_client.get(f"/practice/{attempt.pk}/1/").content.decode()
    assert 'value="B" id="pick-B"' in page
    learner_client.post(f"/practice/{attempt.pk}/1/", {"picks": "B"})
    submitted = learner_client.post(f"/practice/{attempt.pk}/submit/", follow=True)
    assert "1 of 3 right" in submitted.content.decode()
    result = learner_client.get(f"/practice/{attempt.pk}/result/").content.decode()
    result = result.split('class="practice-results"')[1]
    assert "Your answer: B. The right answer: B." in result
    assert "Question 1: right" in result
    # Edited again after the submit: the result still reads as the test was taken.
    reword(lesson, number, right="C")
    later = learner_client.get(f"/practice/{attempt.pk}/result/").content.decode()
    assert later.split('class="practice-results"')[1] == result


def test_a_question_whose_card_was_deleted_is_a_clear_404_and_the_rest_works(learner_client, scope):
    attempt = begin(learner_client, scope)
    url = f"/practice/{attempt.pk}/"
    attempt.questions.get(position=2).prompt.card.delete()
    for response in (learner_client.get(url + "2/"), learner_client.post(url + "2/", {})):
        assert response.status_code == 404
    assert learner_client.get(url + "3/").status_code == 200
    # Next and previous step over the gap; the map leaves it out.
    assert learner_client.post(url + "1/", {"picks": "B", "go": "next"})["Location"] == url + "3/"
    assert learner_client.post(url + "3/", {"go": "previous"})["Location"] == url + "1/"
    page = learner_client.get(url + "3/").content.decode()
    assert 'value="2" class="practice-map__item' not in page
    assert learner_client.get(url + "review/").status_code == 200
    learner_client.post(url + "submit/")
    assert learner_client.get(url + "result/").status_code == 200


@pytest.mark.parametrize("go", ["²", "٣", "99999999999999999999", "-1", "0"])
def test_an_odd_go_value_stays_on_the_question(learner_client, scope, go):
    attempt = begin(learner_client, scope)
    response = learner_client.post(f"/practice/{attempt.pk}/1/", {"picks": "A", "go": go})
    assert response["Location"] == f"/practice/{attempt.pk}/1/"


def test_a_double_click_on_start_starts_one_test(learner_client, scope):
    first = begin(learner_client, scope)
    learner_client.post(f"/practice/{first.pk}/1/", {"picks": "A"})
    response = learner_client.post("/practice/new/", {"scope": scope, "count": 10})
    assert response["Location"] == f"/practice/{first.pk}/2/"
    assert Attempt.objects.count() == 1


def test_the_lesson_topic_and_dashboard_pages_offer_a_test(learner_client, lesson_questions):
    lesson = lesson_questions[0].card.lesson
    assert (
        f"/practice/new/?scope=lesson:{lesson.slug}"
        in learner_client.get(lesson.get_absolute_url()).content.decode()
    )
    assert (
        f"/practice/new/?scope=topic:{lesson.topic.slug}"
        in learner_client.get(lesson.topic.get_absolute_url()).content.decode()
    )
    assert "/practice/new/?scope=all" in learner_client.get("/progress/").content.decode()


def test_the_dashboards_link_without_a_scope_offers_a_test_on_everything(learner_client, scope):
    page = learner_client.get("/practice/new/").content.decode()
    assert "Practice test: All lessons" in page and 'name="scope" value="all"' in page


def test_the_first_start_path_without_its_slash_redirects_with_its_scope(learner_client, scope):
    response = learner_client.get(f"/practice/new?scope={scope}")
    assert response.status_code == 302
    assert response["Location"] == f"/practice/new/?scope={scope}"
