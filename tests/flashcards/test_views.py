"""The study pages over HTTP: full page and htmx fragment, plain forms, refusals, query counts."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from flashcards.models import FsrsFit, Prompt, PromptMark, PromptState, Review, StudySettings
from flashcards.tokens import grade_token
from practice.models import Answer
from tests.conftest import grade_now, make_card, make_lesson, make_topic, make_user
from tests.flashcards.conftest import ONE_RIGHT, TWO_RIGHT, make_question, simulated_log

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def hidden(page: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', page)[1])


def test_studying_needs_an_account(client):
    response = client.get("/study/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post("/study/grade/", {"rating": 3}).status_code == 302


def test_the_study_page_is_a_full_page_and_htmx_gets_only_the_card(learner_client):
    make_card(front="What is KMS for?")
    page = learner_client.get("/study/")
    fragment = learner_client.get("/study/", **HTMX)
    assert "<html" in page.content.decode() and 'id="study-card"' in page.content.decode()
    body = fragment.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<section id="study-card"')
    assert "What is KMS for?" in body
    assert "HX-Request" in page["Vary"] and "HX-Request" in fragment["Vary"]


def test_a_session_without_javascript_uses_plain_forms_and_redirects(learner_client, learner):
    lesson = make_lesson(body="## Snapshots\n\ntext\n")
    make_card(lesson=lesson, front="First card?", back="First answer.", section="snapshots")
    make_card(lesson=lesson, front="Second card?", back="Second answer.")

    page = learner_client.get("/study/").content.decode()
    assert "First card?" in page and "First answer." not in page
    assert "0 done today · 2 left" in page
    revealed = learner_client.get("/study/", {"reveal": hidden(page, "reveal")}).content.decode()
    assert "First answer." in revealed
    assert f'href="{lesson.get_absolute_url()}#snapshots">Read this in the lesson' in revealed
    intervals = re.findall(r'class="grade__interval">([^<]+)<', revealed)
    assert intervals == ["1m", "6m", "10m", "8d"]

    response = learner_client.post(
        "/study/grade/", {"token": hidden(revealed, "token"), "rating": 3}
    )
    assert response.status_code == 303 and response["Location"] == "/study/"
    after = learner_client.get("/study/").content.decode()
    assert "Second card?" in after and "1 done today · 2 left" in after
    assert Review.objects.filter(user=learner).count() == 1


EXAM_TIP = (
    '<div class="admonition exam"><p class="admonition-title">Exam tip</p>'
    "<p>Aurora backups &lt;b&gt;cannot&lt;/b&gt; be disabled.</p></div>"
)


def test_the_exam_scope_studies_exam_cards_and_shows_the_anchor_with_the_answer(learner_client):
    make_card(front="Plain card?")
    make_card(front="Aurora?", back="No.", exam="Aurora backups <b>cannot</b> be disabled.")
    make_card(front="RDS?", back="Yes.", exam="RDS backups can be disabled.")

    everything = learner_client.get("/study/").content.decode()
    assert 'href="/study/?scope=exam">Study exam anchors</a>' in everything

    page = learner_client.get("/study/", {"scope": "exam"}).content.decode()
    assert "<h1>Study: exam anchors</h1>" in page
    assert "Aurora?" in page and "0 done today · 2 left" in page
    assert "Study exam anchors" not in page and "Study everything due" in page
    assert "Exam tip" not in page  # the anchor comes with the answer
    revealed = learner_client.get(
        "/study/", {"scope": "exam", "reveal": hidden(page, "reveal")}
    ).content.decode()
    assert EXAM_TIP in revealed  # plain text, escaped
    assert hidden(revealed, "scope") == "exam"

    response = learner_client.post(
        "/study/grade/", {"token": hidden(revealed, "token"), "rating": 3, "scope": "exam"}
    )
    assert response["Location"] == "/study/?scope=exam"
    after = learner_client.get(response["Location"]).content.decode()
    assert "RDS?" in after and "1 done today · 2 left" in after


def test_the_exam_scope_is_offered_on_the_full_page_only_when_exam_cards_exist(learner_client):
    make_card(front="Plain card?")
    assert "scope=exam" not in learner_client.get("/study/").content.decode()
    make_card(front="Aurora?", exam="Aurora backups cannot be disabled.")
    assert "scope=exam" not in learner_client.get("/study/", **HTMX).content.decode()
    assert "scope=exam" in learner_client.get("/study/").content.decode()


def test_htmx_grading_answers_with_the_next_card(learner_client):
    make_card(front="First card?")
    make_card(front="Second card?")
    page = learner_client.get("/study/").content.decode()
    response = learner_client.post(
        "/study/grade/", {"token": hidden(page, "reveal"), "rating": 4}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "Second card?" in body and 'data-key="u"' in body


def test_refused_grades_answer_400_or_404_and_change_nothing(learner_client, learner):
    prompt = make_card().prompts.get()
    other = make_user()
    theirs = grade_token(user_id=other.pk, prompt_id=prompt.pk, version=0, shown_at=timezone.now())
    mine = grade_token(user_id=learner.pk, prompt_id=prompt.pk, version=0, shown_at=timezone.now())
    assert learner_client.post("/study/grade/", {"token": theirs, "rating": 3}).status_code == 404
    assert learner_client.post("/study/grade/", {"token": "forged", "rating": 3}).status_code == 400
    assert learner_client.post("/study/grade/", {"token": mine, "rating": "x"}).status_code == 400
    assert learner_client.post("/study/grade/", {"token": mine, "rating": 9}).status_code == 400
    response = learner_client.post("/study/grade/", {"token": "forged", "rating": 3}, **HTMX)
    assert (
        response.status_code == 400
        and "did not come from a card shown to you" in response.content.decode()
    )
    assert not Review.objects.exists() and not PromptState.objects.exists()
    assert learner_client.get("/study/grade/").status_code == 405


def test_a_double_submit_is_applied_once(learner_client):
    make_card()
    page = learner_client.get("/study/").content.decode()
    data = {"token": hidden(page, "reveal"), "rating": 3}
    assert learner_client.post("/study/grade/", data).status_code == 303
    assert learner_client.post("/study/grade/", data).status_code == 303
    assert Review.objects.count() == 1


def test_undo_brings_the_card_back_and_removes_the_grade(learner_client):
    make_card(front="Slipped card?")
    make_card(front="Other card?")
    page = learner_client.get("/study/").content.decode()
    learner_client.post("/study/grade/", {"token": hidden(page, "reveal"), "rating": 1})
    after = learner_client.get("/study/").content.decode()
    response = learner_client.post(
        "/study/undo/", {"token": hidden(after.split('class="undo"')[1], "token")}
    )
    assert response.status_code == 303 and "again=" in response["Location"]
    shown = learner_client.get(response["Location"]).content.decode()
    assert "Slipped card?" in shown and "0 done today · 2 left" in shown
    assert not Review.objects.exists()
    assert learner_client.post("/study/undo/", {"token": "nope"}).status_code == 400


def test_after_an_undo_the_undone_grade_replayed_changes_nothing_and_the_card_grades_anew(
    learner_client,
):
    make_card(front="Slipped card?")
    page = learner_client.get("/study/").content.decode()
    undone = {"token": hidden(page, "reveal"), "rating": 1}
    learner_client.post("/study/grade/", undone)
    after = learner_client.get("/study/").content.decode()
    response = learner_client.post(
        "/study/undo/", {"token": hidden(after.split('class="undo"')[1], "token")}
    )
    shown = learner_client.get(response["Location"]).content.decode()
    assert learner_client.post("/study/grade/", undone).status_code == 303
    assert not Review.objects.exists() and not PromptState.objects.exists()
    learner_client.post("/study/grade/", {"token": hidden(shown, "reveal"), "rating": 3})
    assert list(Review.objects.values_list("rating", flat=True)) == [3]


def undo_form(page: str) -> dict:
    return {"token": hidden(page.split('class="undo"')[1], "token")}


def test_card_actions_without_javascript_bury_suspend_and_come_back_by_undo(learner_client):
    make_card(front="Buried card?")
    make_card(front="Suspended card?")
    make_card(front="Third card?")
    page = learner_client.get("/study/").content.decode()
    assert 'action="/study/card/"' in page and 'name="action" value="bury"' in page

    response = learner_client.post(
        "/study/card/", {"token": hidden(page, "reveal"), "action": "bury"}
    )
    assert response.status_code == 303 and response["Location"] == "/study/"
    page = learner_client.get("/study/").content.decode()
    assert "Card buried until tomorrow. Undo (U)" in page  # the message, above the card
    assert "Suspended card?" in page and "Buried card?" not in page
    assert "0 done today · 2 left" in page and "Undo bury" in page

    learner_client.post("/study/card/", {"token": hidden(page, "reveal"), "action": "suspend"})
    page = learner_client.get("/study/").content.decode()
    assert "Third card?" in page and "0 done today · 1 left" in page and "Undo suspend" in page

    response = learner_client.post("/study/undo/", undo_form(page))
    page = learner_client.get(response["Location"]).content.decode()
    assert "Suspend undone" in page and "Suspended card?" in page and "Undo bury" in page
    response = learner_client.post("/study/undo/", undo_form(page))
    page = learner_client.get(response["Location"]).content.decode()
    assert "Buried card?" in page and "0 done today · 3 left" in page
    assert 'class="undo"' not in page
    assert not PromptMark.objects.exists()


def test_a_flag_with_htmx_keeps_the_answer_shown_and_toggles(learner_client):
    make_card(front="Flag me?", back="The answer.")
    page = learner_client.get("/study/").content.decode()
    token = hidden(page, "reveal")
    revealed = learner_client.get("/study/", {"reveal": token}, **HTMX).content.decode()
    assert 'name="revealed" value="1"' in revealed
    assert 'name="flag" value="1"' in revealed and 'aria-pressed="false"' in revealed

    data = {"token": token, "flag": "1", "revealed": "1"}
    card = learner_client.post("/study/card/", data, **HTMX).content.decode()
    assert "<html" not in card and card.lstrip().startswith('<section id="study-card"')
    assert "Card flagged red. Undo (U)" in card and "The answer." in card
    assert "flashcard--flag-1" in card and "Red flag</span>" in card
    # The red button now clears the flag (Ctrl+1 again, as in Anki).
    assert re.search(r'name="flag" value="0" class="flag-button flag-button--1"', card)
    assert "Undo flag" in card
    card = learner_client.post("/study/card/", {**data, "flag": "0"}, **HTMX).content.decode()
    assert "Flag removed." in card and "flashcard--flag" not in card

    card = learner_client.post("/study/undo/", undo_form(card), **HTMX).content.decode()
    assert "Flag change undone." in card and "flashcard--flag-1" in card
    assert PromptMark.objects.get().flag == PromptMark.Flag.RED


def test_a_refused_card_action_is_a_400_that_says_why(learner_client):
    make_card()
    page = learner_client.get("/study/").content.decode()
    data = {"token": hidden(page, "reveal"), "flag": "9"}
    response = learner_client.post("/study/card/", data, **HTMX)
    assert response.status_code == 400 and "bury, suspend or a flag" in response.content.decode()
    assert not PromptMark.objects.exists()


def test_the_end_of_a_session_shows_a_summary_then_the_empty_state(learner_client):
    lesson = make_lesson(title="Encryption")
    make_card(lesson=lesson)
    page = learner_client.get("/study/").content.decode()
    learner_client.post("/study/grade/", {"token": hidden(page, "reveal"), "rating": 4})
    summary = learner_client.get("/study/").content.decode()
    assert "Session done" in summary and "Encryption" in summary
    assert re.search(r"<dt>Reviewed</dt><dd>1</dd>", summary)
    assert re.search(r"<dt>Again</dt><dd>0%</dd>", summary)
    assert "Next card</dt><dd>in 1" in summary  # Easy on a new card: about a week
    assert "Nothing to study right now" in learner_client.get("/study/").content.decode()


def test_the_empty_state_says_when_the_next_card_is_due(learner_client, learner):
    prompt = make_card().prompts.get()
    PromptState.objects.create(
        user=learner,
        prompt=prompt,
        state=2,
        stability=5,
        difficulty=5,
        due=timezone.now() + dt.timedelta(days=3, hours=3),
    )
    page = learner_client.get("/study/").content.decode()
    assert "Nothing to study right now" in page and "Your next card is due in 3" in page


def test_a_review_due_later_today_is_offered_from_the_start_of_the_day(
    learner_client, learner, monkeypatch
):
    """A review is due for its whole day, as in Anki: graded at 11:00, due three days on at
    11:00, it is studied at 08:00 that day (the learner's time zone), not waited for."""
    StudySettings.objects.create(user=learner, time_zone="Europe/Berlin")
    prompt = make_card(front="Due by day?").prompts.get()
    first = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    grade_now(learner, prompt, 3, first)
    grade_now(learner, prompt, 3, first + dt.timedelta(minutes=10))  # now in review
    state = PromptState.objects.get(user=learner, prompt=prompt)
    assert state.state == PromptState.State.REVIEW and state.due.hour >= 10
    morning = state.due.replace(hour=7, minute=0)  # 08:00 in Berlin, the same day
    monkeypatch.setattr(timezone, "now", lambda: morning)
    page = learner_client.get("/study/").content.decode()
    assert "Due by day?" in page and "1 review" in page
    evening_before = morning - dt.timedelta(hours=10)  # 22:00 in Berlin, the day before
    monkeypatch.setattr(timezone, "now", lambda: evening_before)
    assert "Nothing to study right now" in learner_client.get("/study/").content.decode()


def test_leeches_are_flagged_to_the_learner(learner_client, learner):
    prompt = make_card().prompts.get()
    PromptState.objects.create(
        user=learner,
        prompt=prompt,
        state=2,
        stability=1,
        difficulty=9,
        lapses=8,
        due=timezone.now(),
    )
    assert "badge--leech" in learner_client.get("/study/").content.decode()


def test_study_settings_are_saved_and_checked(learner_client, learner):
    assert learner_client.get("/study/settings/").status_code == 200
    form = {"maximum_interval": 100, "new_per_day": 5, "time_zone": "Europe/Paris"}
    bad = learner_client.post("/study/settings/", {**form, "desired_retention": "0.5"})
    assert "between 0.70 and 0.99" in bad.content.decode()
    good = learner_client.post("/study/settings/", {**form, "desired_retention": "0.85"})
    assert good.status_code == 302
    saved = StudySettings.objects.get(user=learner)
    assert saved.desired_retention == 0.85 and saved.maximum_interval == 100
    assert (saved.new_per_day, saved.time_zone) == (5, "Europe/Paris")


def test_study_settings_ask_an_account_without_email_to_add_one(learner_client, learner):
    """Accounts from before sign-up asked for an email are asked, never blocked."""
    page = learner_client.get("/study/settings/").content.decode()
    assert 'id="email-missing"' in page and 'href="/accounts/"' in page
    learner.email = "learner@example.com"
    learner.save(update_fields=["email"])
    assert 'id="email-missing"' not in learner_client.get("/study/settings/").content.decode()


def test_study_settings_tell_learners_what_instructors_see(learner_client):
    page = learner_client.get("/study/settings/").content.decode()
    assert 'id="privacy"' in page
    assert "What instructors see" in page and "do not see your email address" in page


def test_lesson_pages_show_mastery_to_learners_and_an_invitation_to_visitors(client, learner):
    lesson = make_lesson(slug="kms", title="KMS")
    card = make_card(lesson=lesson)
    make_card(lesson=lesson)
    page = client.get("/lessons/kms/").content.decode()
    assert "This lesson has 2 flashcards." in page and "mastery__bar" not in page
    client.force_login(learner)
    assert "0% known" in client.get("/lessons/kms/").content.decode()
    token = grade_token(
        user_id=learner.pk, prompt_id=card.prompts.get().pk, version=0, shown_at=timezone.now()
    )
    client.post("/study/grade/", {"token": token, "rating": 4})
    home = client.get("/").content.decode()
    # One of two cards just learnt with Easy: recalled now for sure, but "known" looks 30 days
    # ahead, by when a card seen once has faded: below half the lesson.
    known = int(re.search(r"(\d+)% known", home)[1])
    assert 25 < known < 50 and "Study its 2 cards" in home
    assert 'href="/study/?scope=lesson:kms"' in home


def count_queries(client, method, url, data=None, **extra) -> int:
    with CaptureQueriesContext(connection) as captured:
        getattr(client, method)(url, data or {}, **extra)
    return len(captured.captured_queries)


def deck(size: int):
    lesson = make_lesson()
    return [make_card(lesson=lesson) for _ in range(size)]


def study_and_grade_counts(size: int) -> tuple[int, int, int]:
    user = make_user()
    cards = deck(size)
    for card in cards[: size // 2]:  # half the deck already studied and due
        PromptState.objects.create(
            user=user,
            prompt=card.prompts.get(),
            state=2,
            stability=3,
            difficulty=5,
            due=timezone.now() - dt.timedelta(hours=1),
            version=1,
        )
    client = Client()
    client.force_login(user)
    client.get("/study/")  # the session exists from here on
    page_queries = count_queries(client, "get", "/study/")
    page = client.get("/study/").content.decode()
    grade = {"token": hidden(page, "reveal"), "rating": 3}
    grade_queries = count_queries(client, "post", "/study/grade/", grade, **HTMX)
    lesson_queries = count_queries(client, "get", cards[0].lesson.get_absolute_url())
    return page_queries, grade_queries, lesson_queries


def test_the_study_page_and_a_grade_make_the_same_queries_whatever_the_deck_size():
    assert study_and_grade_counts(4) == study_and_grade_counts(120)


def test_a_tabs_new_card_past_the_daily_limit_is_refused_with_a_notice_and_the_next_card(
    learner_client, learner
):
    StudySettings.objects.create(user=learner, new_per_day=1)
    first, second = (make_card(front=f"New card {n}?").prompts.get() for n in range(2))
    due = make_card(front="Due review?").prompts.get()
    PromptState.objects.create(
        user=learner, prompt=due, state=2, stability=3, difficulty=5, due=timezone.now(), version=1
    )
    first_tab, second_tab = (
        grade_token(user_id=learner.pk, prompt_id=p.pk, version=0, shown_at=timezone.now())
        for p in (first, second)
    )
    assert (
        learner_client.post("/study/grade/", {"token": first_tab, "rating": 3}).status_code == 303
    )

    fragment = learner_client.post("/study/grade/", {"token": second_tab, "rating": 3}, **HTMX)
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert "already started today&#x27;s new cards" in body and "Due review?" in body
    plain = learner_client.post("/study/grade/", {"token": second_tab, "rating": 3})
    assert plain.status_code == 303
    page = learner_client.get(plain["Location"]).content.decode()
    assert "already started today&#x27;s new cards" in page and "Due review?" in page
    assert not PromptState.objects.filter(user=learner, prompt=second).exists()
    assert Review.objects.count() == 1


# Stale grades (issue 12): a grade from a tab whose card was graded elsewhere says so.


@pytest.mark.parametrize("htmx", [False, True])
def test_a_grade_from_a_stale_tab_says_so_and_shows_the_current_card(learner_client, learner, htmx):
    make_card(front="Graded elsewhere?")
    make_card(front="Current card?")
    page = learner_client.get("/study/").content.decode()
    stale = {"token": hidden(page, "reveal"), "rating": 3}
    assert learner_client.post("/study/grade/", stale).status_code == 303  # the other tab
    response = learner_client.post("/study/grade/", stale, **(HTMX if htmx else {}))
    if not htmx:
        assert response.status_code == 303
        response = learner_client.get(response["Location"])
    shown = response.content.decode()
    assert "This card was already graded in another tab" in shown
    assert "Current card?" in shown
    assert ("<html" in shown) is not htmx
    assert Review.objects.filter(user=learner).count() == 1


def test_when_only_later_cards_remain_the_page_asks_again_when_one_is_due(
    learner_client, learner, monkeypatch
):
    # At noon: near midnight the card (back in ten minutes) would be due tomorrow, and the page
    # waits only for cards due today.
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: noon)
    StudySettings.objects.create(user=learner, learn_ahead_minutes=0)
    make_card(front="Only card?")
    page = learner_client.get("/study/").content.decode()
    learner_client.post("/study/grade/", {"token": hidden(page, "reveal"), "rating": 3})
    for extra in ({}, HTMX):
        waiting = learner_client.get("/study/", **extra).content.decode()
        assert "Only card?" not in waiting
        delay = int(re.search(r'hx-trigger="click, load delay:(\d+)s"', waiting)[1])
        assert 9 * 60 < delay <= 10 * 60 + 1
        assert 'href="/study/"' in waiting and "Check again</a>" in waiting


def test_the_counters_agree_with_the_database_after_grades_undo_and_reload(learner_client, learner):
    for front in ("A?", "B?", "C?"):
        make_card(front=front)
    page = learner_client.get("/study/").content.decode()
    assert "0 done today · 3 left (3 new, 0 learning, 0 review)" in page
    learner_client.post("/study/grade/", {"token": hidden(page, "reveal"), "rating": 1})
    page = learner_client.get("/study/").content.decode()
    assert "1 done today · 3 left (2 new, 1 learning, 0 review)" in page
    undo = {"token": hidden(page.split('class="undo"')[1], "token")}
    page = learner_client.post("/study/undo/", undo, **HTMX).content.decode()
    assert "0 done today · 3 left (3 new, 0 learning, 0 review)" in page
    learner_client.post("/study/grade/", {"token": hidden(page, "reveal"), "rating": 3})
    session = learner_client.session
    session.pop("study_session")  # the session's figures gone: the counters come from the log
    session.save()
    page = learner_client.get("/study/").content.decode()
    assert "1 done today · 3 left (2 new, 1 learning, 0 review)" in page


def test_personal_fsrs_is_refused_below_the_threshold_with_the_reason(learner_client, learner):
    page = learner_client.get("/study/settings/").content.decode()
    assert "Personal FSRS" in page and "at least 400 reviews" in page
    response = learner_client.post("/study/settings/", {"fsrs_fit": "1"})
    assert response.status_code == 303
    page = learner_client.get(response["Location"]).content.decode()
    assert "Personal FSRS needs at least 400 reviews; you have 0." in page
    assert "In use now: <strong>FSRS's default parameters" in page


def test_personal_fsrs_fit_shows_both_sets_of_figures_without_javascript(learner_client, learner):
    simulated_log(learner, cards=60, days=150)
    learner_client.post("/study/settings/", {"fsrs_fit": "1"})
    fit = FsrsFit.objects.get(user=learner)
    page = learner_client.get("/study/settings/").content.decode()
    assert "<html" in page and 'id="personal-fsrs"' in page
    for figure in (fit.default_log_loss, fit.fitted_log_loss, fit.default_rmse, fit.fitted_rmse):
        assert f"{figure:.4f}" in page
    assert "your own parameters" in page and "Reviews a day" in page
    assert 'hx-trigger="every' not in page  # nothing to wait for
    assert fit.reschedule is False and fit.rescheduled is None
    assert "Use the defaults again" in page


def test_personal_fsrs_reschedules_only_when_the_box_is_ticked(learner_client, learner):
    simulated_log(learner, cards=60, days=150)
    learner_client.post("/study/settings/", {"fsrs_fit": "1", "reschedule": "1"})
    fit = FsrsFit.objects.get(user=learner)
    assert fit.rescheduled == PromptState.objects.filter(user=learner).count()
    page = learner_client.get("/study/settings/").content.decode()
    assert f"{fit.rescheduled} open cards were rescheduled" in page


def test_personal_fsrs_panel_polls_while_a_fit_waits(learner_client, learner):
    FsrsFit.objects.create(user=learner, requested_at=timezone.now(), review_count=5000)
    page = learner_client.get("/study/settings/").content.decode()
    assert 'hx-trigger="every 3s"' in page and "Check again" in page
    assert "Fit FSRS to my reviews" not in page  # one fit at a time
    fragment = learner_client.get("/study/settings/", headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "<html" not in text and 'id="personal-fsrs"' in text and "Waiting to start" in text
    assert "HX-Request" in fragment["Vary"]


def test_personal_fsrs_can_go_back_to_the_defaults(learner_client, learner):
    StudySettings.objects.create(user=learner, fsrs_parameters=[0.3] * 21)
    response = learner_client.post("/study/settings/", {"fsrs_reset": "1"})
    assert response.status_code == 303
    assert StudySettings.objects.get(user=learner).fsrs_parameters is None


# My cards -------------------------------------------------------------------------------------


def test_my_cards_lists_the_learners_cards_with_filters_sort_links_and_no_script(
    learner_client, learner
):
    lesson = make_lesson(title="Backups")
    seen = make_card(lesson=lesson, front="What is PITR?").prompts.get()
    make_card(lesson=lesson, front="What is a snapshot?")
    grade_now(learner, seen, 4, timezone.now() - dt.timedelta(days=1))
    response = learner_client.get("/study/cards/?state=review&sort=-due")
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert "What is PITR?" in page and "What is a snapshot?" not in page
    assert "1 card." in page
    assert '<option value="review" selected>' in page
    # Sorting keeps the filters; the current column's link reverses it.
    assert 'href="?state=review&amp;sort=due"' in page
    assert 'aria-sort="descending"' in page
    assert "<script>" not in page and "style=" not in page


def test_my_cards_paginates_and_links_keep_the_filters(learner_client):
    lesson = make_lesson()
    for number in range(55):
        make_card(lesson=lesson, front=f"Card {number} about logs")
    page = learner_client.get("/study/cards/?q=logs").content.decode()
    assert page.count('name="prompt"') == 50
    assert 'href="?q=logs&amp;page=2"' in page
    second = learner_client.get("/study/cards/?q=logs&page=2").content.decode()
    assert second.count('name="prompt"') == 5


def test_a_bulk_action_without_javascript_comes_back_to_the_same_page_with_a_message(
    learner_client, learner
):
    prompts = [make_card().prompts.get() for _ in range(3)]
    url = "/study/cards/?flag=&sort=-lapses&page=1"
    response = learner_client.post(
        url, {"action": "suspend", "prompt": [p.pk for p in prompts[:2]], "days": ""}
    )
    assert response.status_code == 303 and response["Location"] == url
    assert "2 cards suspended." in learner_client.get(url).content.decode()
    assert PromptMark.objects.filter(user=learner, suspended=True).count() == 2


def test_a_reschedule_needs_days_and_an_action_needs_cards(learner_client, learner):
    prompt = make_card().prompts.get()
    grade_now(learner, prompt, 4, timezone.now() - dt.timedelta(days=1))
    due = PromptState.objects.get(user=learner).due
    learner_client.post("/study/cards/", {"action": "reschedule", "prompt": [prompt.pk]})
    page = learner_client.get("/study/cards/").content.decode()
    assert "Give the days from today" in page
    assert PromptState.objects.get(user=learner).due == due
    learner_client.post("/study/cards/", {"action": "forget"})
    assert "Select at least one card." in learner_client.get("/study/cards/").content.decode()
    learner_client.post(
        "/study/cards/", {"action": "reschedule", "prompt": [prompt.pk], "days": "10-12"}
    )
    assert "1 card rescheduled." in learner_client.get("/study/cards/").content.decode()
    assert PromptState.objects.get(user=learner).due > timezone.now() + dt.timedelta(days=9)


def test_bulk_actions_change_only_the_learners_own_cards(learner_client, learner):
    prompt = make_card().prompts.get()
    other = make_user(username="other")
    when = timezone.now() - dt.timedelta(days=1)
    grade_now(other, prompt, 3, when)
    grade_now(learner, prompt, 3, when)
    learner_client.post("/study/cards/", {"action": "forget", "prompt": [prompt.pk]})
    assert not PromptState.objects.filter(user=learner).exists()
    assert PromptState.objects.filter(user=other).exists()
    learner_client.post("/study/cards/", {"action": "suspend", "prompt": [prompt.pk]})
    assert list(PromptMark.objects.values_list("user_id", flat=True)) == [learner.pk]


def test_my_cards_page_costs_the_same_queries_whatever_the_page_holds(learner_client):
    def count(path: str) -> int:
        learner_client.get(path)
        with CaptureQueriesContext(connection) as captured:
            learner_client.get(path)
        return len(captured.captured_queries)

    lesson = make_lesson()
    make_card(lesson=lesson)
    one = count("/study/cards/")
    for _ in range(60):
        make_card(lesson=lesson)
    assert count("/study/cards/") == one


# Custom study ---------------------------------------------------------------------------------


def _caught_up_on_new_cards(learner_client, learner, slug="tls"):
    """A learner who has started today's one new card of a lesson with more left."""
    StudySettings.objects.create(user=learner, new_per_day=1, learn_ahead_minutes=0)
    lesson = make_lesson(slug=slug)
    for number in range(4):
        make_card(lesson=lesson, front=f"Card {number}?")
    page = learner_client.get(f"/study/?scope=lesson:{slug}").content.decode()
    reveal = learner_client.get(f"/study/?scope=lesson:{slug}&reveal={hidden(page, 'reveal')}")
    learner_client.post(
        "/study/grade/",
        {"token": hidden(reveal.content.decode(), "token"), "rating": 3, "scope": f"lesson:{slug}"},
    )


def test_the_dead_end_says_why_and_offers_more_new_cards_and_custom_study(learner_client, learner):
    _caught_up_on_new_cards(learner_client, learner)
    page = learner_client.get("/study/?scope=lesson:tls").content.decode()
    assert "You have started today's new cards" in page
    assert 'action="/study/custom/"' in page and 'name="more_new"' in page
    assert "/study/custom/?scope=lesson%3Atls" in page


def test_more_new_cards_without_javascript_redirect_to_the_session_with_them(
    learner_client, learner
):
    _caught_up_on_new_cards(learner_client, learner)
    response = learner_client.post(
        "/study/custom/", {"scope": "lesson:tls", "count": 2, "more_new": ""}
    )
    assert response.status_code == 303
    assert response["Location"] == "/study/?scope=lesson%3Atls"
    page = learner_client.get(response["Location"]).content.decode()
    assert "Card 1?" in page and "(2 new, 0 learning, 0 review)" in page


def test_a_new_card_from_the_extra_ones_is_graded_in_its_scope(learner_client, learner):
    _caught_up_on_new_cards(learner_client, learner)
    learner_client.post("/study/custom/", {"scope": "lesson:tls", "count": 1, "more_new": ""})
    page = learner_client.get("/study/?scope=lesson:tls").content.decode()
    reveal = learner_client.get(f"/study/?scope=lesson:tls&reveal={hidden(page, 'reveal')}")
    token = hidden(reveal.content.decode(), "token")
    learner_client.post("/study/grade/", {"token": token, "rating": 3, "scope": "lesson:tls"})
    assert Review.objects.filter(user=learner).count() == 2


def test_an_invalid_custom_study_form_comes_back_with_its_message(learner_client, learner):
    make_card(lesson=make_lesson(slug="tls"))
    response = learner_client.post(
        "/study/custom/", {"scope": "lesson:tls", "count": 0, "more_new": ""}
    )
    assert response.status_code == 200
    assert "greater than or equal to 1" in response.content.decode()
    response = learner_client.post("/study/custom/", {"scope": "all", "days": 99, "ahead": ""})
    assert response.status_code == 200 and 'id="id_days_error"' in response.content.decode()


def test_a_lesson_gets_its_own_daily_limit_from_the_custom_study_page(learner_client, learner):
    make_card(lesson=make_lesson(slug="tls"))
    response = learner_client.post(
        "/study/custom/", {"scope": "lesson:tls", "limit": 3, "own_limit": ""}
    )
    assert response.status_code == 303
    assert response["Location"] == "/study/custom/?scope=lesson%3Atls"
    settings = StudySettings.objects.get(user=learner)
    assert settings.scope_new_cards == {"lesson:tls": {"limit": 3}}
    assert 'value="3"' in learner_client.get(response["Location"]).content.decode()


def test_review_ahead_and_forgotten_cards_open_their_session(learner_client, learner):
    make_card(lesson=make_lesson(slug="tls"))
    ahead = learner_client.post("/study/custom/", {"scope": "lesson:tls", "days": 5, "ahead": ""})
    assert ahead.status_code == 303
    assert ahead["Location"] == "/study/?scope=lesson%3Atls%2Fahead%3A5"
    page = learner_client.get(ahead["Location"]).content.decode()
    assert "reviewing 5 days ahead" in page and "Nothing more due in the next 5 days" in page
    forgotten = learner_client.post("/study/custom/", {"scope": "lesson:tls", "forgotten": ""})
    assert forgotten.status_code == 303
    assert "forgotten" in forgotten["Location"]
    page = learner_client.get(forgotten["Location"]).content.decode()
    assert "No forgotten cards left" in page


def test_a_grade_in_review_ahead_keeps_the_mode(learner_client, learner):
    card = make_card(lesson=make_lesson(slug="tls"), front="Ahead?")
    now = timezone.now()
    prompt = card.prompts.get()
    PromptState.objects.create(
        user=learner, prompt=prompt, state=PromptState.State.REVIEW, stability=10.0,
        difficulty=5.0, due=now + dt.timedelta(days=3), last_review=now - dt.timedelta(days=7),
        reps=2,
    )  # fmt: skip
    scope = "lesson:tls/ahead:5"
    page = learner_client.get("/study/", {"scope": scope}).content.decode()
    assert "Ahead?" in page and hidden(page, "scope") == scope
    reveal = learner_client.get("/study/", {"scope": scope, "reveal": hidden(page, "reveal")})
    body = reveal.content.decode()
    response = learner_client.post(
        "/study/grade/", {"token": hidden(body, "token"), "rating": 3, "scope": scope}
    )
    assert response.status_code == 303
    assert response["Location"] == "/study/?scope=lesson%3Atls%2Fahead%3A5"
    assert Review.objects.filter(user=learner, prompt=prompt).count() == 1


def test_the_custom_study_page_is_linked_from_the_lesson_and_the_dashboard(learner_client):
    make_card(lesson=make_lesson(slug="tls"))
    lesson = learner_client.get("/lessons/tls/").content.decode()
    assert "/study/custom/?scope=lesson:tls" in lesson
    assert 'href="/study/custom/"' in learner_client.get("/progress/").content.decode()


def test_preview_shows_new_cards_front_then_back_and_writes_nothing(learner_client, learner):
    lesson = make_lesson(slug="tls")
    make_card(lesson=lesson, front="First front?", back="First back.")
    make_card(lesson=lesson, front="Second front?", back="Second back.")
    front = learner_client.get("/study/preview/?scope=lesson:tls").content.decode()
    assert "First front?" in front and "First back." not in front and "(1 of 2)" in front
    assert 'name="rating"' not in front
    back = learner_client.get("/study/preview/?scope=lesson:tls&card=1&side=back")
    assert "First back." in back.content.decode()
    second = learner_client.get("/study/preview/?scope=lesson:tls&card=2").content.decode()
    assert "Second front?" in second and "Previous card" in second
    assert "Next card" not in second
    assert not PromptState.objects.filter(user=learner).exists()
    assert not Review.objects.exists()
    assert learner_client.post("/study/preview/").status_code == 405


# Questions (issue 17): the front asks, the check POST answers with the back.

WHYS = ("restored to a new DB", "any second of the retention", "Aurora MySQL only")


def question_front_is_blind(page: str, prompt) -> None:
    """Nothing on a question's front says which options are right."""
    assert prompt.back_html not in page
    assert "answer-sheet" not in page and "option-right" not in page and "Right" not in page
    for why in WHYS + ("Kept until you delete", "Kept at most 35", "keep backups for years"):
        assert why not in page


def test_a_questions_front_shows_the_stem_and_options_and_nothing_of_the_answer(learner_client):
    prompt = make_question()
    page = learner_client.get("/study/").content.decode()
    assert "Which gets its rows back?" in page
    assert page.count('type="radio" name="pick"') == 3 and 'type="checkbox"' not in page
    assert 'action="/study/check/"' in page and 'data-key="reveal"' not in page
    assert "Choose one." in page and "Backtrack" in page
    question_front_is_blind(page, prompt)
    # A reveal link made by hand shows the front still: the back comes only with a check.
    page = learner_client.get("/study/", {"reveal": hidden(page, "token")}).content.decode()
    assert 'action="/study/check/"' in page
    question_front_is_blind(page, prompt)


def test_a_multiple_answer_question_says_how_many_and_asks_with_checkboxes(learner_client):
    prompt = make_question(TWO_RIGHT)
    page = learner_client.get("/study/", **HTMX).content.decode()
    assert "Choose two." in page and page.count('type="checkbox" name="pick"') == 4
    question_front_is_blind(page, prompt)


def test_a_question_checked_without_javascript_shows_its_back_then_grades(learner_client, learner):
    lesson = make_lesson(body="## Snapshots\n\ntext\n")
    prompt = make_question(TWO_RIGHT.replace("Q:", "section: snapshots\n\nQ:"), lesson=lesson)
    page = learner_client.get("/study/").content.decode()
    token = hidden(page, "token")
    response = learner_client.post(
        "/study/check/", {"token": token, "scope": "all", "pick": ["A", "B"]}
    )
    assert response.status_code == 303
    back = learner_client.get(response["Location"]).content.decode()
    assert "Not right: the answer is A and C." in back
    assert "Proposed: Again — you missed C; B is wrong." in back
    assert back.count("your pick") == 2 and "Kept at most 35 days." in back
    assert re.search(r'value="1" class="grade grade--1 grade--proposed"[^>]*autofocus', back)
    assert f'href="{lesson.get_absolute_url()}#snapshots">Read this in the lesson' in back
    # The back button and a replayed POST log nothing more, and show the first answer.
    learner_client.post("/study/check/", {"token": token, "scope": "all", "pick": ["A", "C"]})
    assert Answer.objects.get().chosen == "AB"
    # The learner picks another grade than the one proposed: the usual grade POST.
    learner_client.post("/study/grade/", {"token": hidden(back, "token"), "rating": "2"})
    assert Review.objects.get(prompt=prompt).rating == 2


def test_a_question_checked_with_htmx_answers_with_the_back_fragment(learner_client, learner):
    make_question()
    token = hidden(learner_client.get("/study/").content.decode(), "token")
    back = learner_client.post(
        "/study/check/", {"token": token, "scope": "all", "pick": "B"}, **HTMX
    ).content.decode()
    assert back.lstrip().startswith('<section id="study-card"')
    assert "Right." in back and "Proposed: Good." in back
    assert 'data-announce="Right. Proposed grade: Good. Enter confirms it."' in back
    assert re.search(r'value="3" class="grade grade--3 grade--proposed"', back)
    assert "any second of the retention period" in back
    assert Answer.objects.get().source == "study"


def test_checking_with_no_pick_asks_again(learner_client):
    make_question()
    token = hidden(learner_client.get("/study/").content.decode(), "token")
    page = learner_client.post(
        "/study/check/", {"token": token, "scope": "all"}, **HTMX
    ).content.decode()
    assert "Pick an answer before checking." in page and 'action="/study/check/"' in page
    assert not Answer.objects.exists()


def test_a_flag_on_a_checked_question_keeps_its_back(learner_client):
    make_question()
    token = hidden(learner_client.get("/study/").content.decode(), "token")
    learner_client.post("/study/check/", {"token": token, "scope": "all", "pick": "B"})
    page = learner_client.post(
        "/study/card/", {"token": token, "scope": "all", "flag": "2", "revealed": "1"}, **HTMX
    ).content.decode()
    assert "Proposed: Good." in page and "Orange flag" in page


def test_an_undone_grade_brings_the_question_back_unchecked(learner_client):
    prompt = make_question()
    make_card(front="Next card?")
    token = hidden(learner_client.get("/study/").content.decode(), "token")
    learner_client.post("/study/check/", {"token": token, "scope": "all", "pick": "A"})
    learner_client.post("/study/grade/", {"token": token, "rating": "1"})
    page = learner_client.get("/study/").content.decode()
    undo = re.search(r'name="token" value="([^"]+)"', page.split('class="undo"')[1])[1]
    page = learner_client.post("/study/undo/", {"token": undo, "scope": "all"}, **HTMX)
    page = page.content.decode()
    assert "Which gets its rows back?" in page and 'action="/study/check/"' in page
    question_front_is_blind(page, prompt)


def test_a_question_graded_without_a_check_is_refused(learner_client):
    make_question()
    token = hidden(learner_client.get("/study/").content.decode(), "token")
    for extra in ({}, HTMX):
        response = learner_client.post("/study/grade/", {"token": token, "rating": "3"}, **extra)
        assert response.status_code == 400
        assert response.content.decode() == "Check an answer to this question before grading it."
    assert not Review.objects.exists() and not Answer.objects.exists()


def test_a_reload_after_a_check_shows_the_checked_back_and_asks_nothing_again(learner_client):
    prompt = make_question()
    token = hidden(learner_client.get("/study/").content.decode(), "token")
    learner_client.post("/study/check/", {"token": token, "scope": "all", "pick": "A"}, **HTMX)
    for extra in ({}, HTMX):
        page = learner_client.get("/study/", **extra).content.decode()
        assert "Proposed: Again" in page and 'action="/study/check/"' not in page
        assert 'type="radio" name="pick"' not in page
    # The back's grade is that of the showing answered, and applies.
    learner_client.post("/study/grade/", {"token": hidden(page, "token"), "rating": "1"})
    assert Review.objects.get(prompt=prompt).rating == 1
    assert list(Answer.objects.values_list("chosen", flat=True)) == ["A"]


def test_custom_studys_preview_asks_a_question_and_never_shows_its_answer_sheet(learner_client):
    prompt = make_question(lesson=make_lesson(slug="tls", body="## Snapshots\n\ntext\n"))
    front = learner_client.get("/study/preview/?scope=lesson:tls").content.decode()
    assert "Which gets its rows back?" in front and front.count('type="radio"') == 3
    assert "<fieldset" in front and 'action="/study/check/"' not in front
    assert "Show answer" not in front and "side=back" not in front
    question_front_is_blind(front, prompt)
    # Asking for the back by hand gets the question as asked again: nothing was answered.
    back = learner_client.get("/study/preview/?scope=lesson:tls&card=1&side=back").content.decode()
    assert "Which gets its rows back?" in back and back.count('type="radio"') == 3
    question_front_is_blind(back, prompt)


def test_my_cards_lists_a_question_by_its_stem(learner_client, learner):
    make_question()
    learner_client.get("/study/")
    page = learner_client.get("/study/cards/?state=all").content.decode()
    assert "Which gets its rows back?" in page and "Aurora MySQL only" not in page


def test_an_exam_question_is_asked_in_the_exam_scope_and_an_updated_one_says_so(learner_client):
    prompt = make_question(ONE_RIGHT + "exam: Restores always make a new instance.\n")
    Prompt.objects.filter(pk=prompt.pk).update(changed_at=timezone.now())
    page = learner_client.get("/study/?scope=exam").content.decode()
    assert "Which gets its rows back?" in page and 'action="/study/check/"' in page
    assert "Updated</span>" in page
    question_front_is_blind(page, prompt)
    # The exam tip is part of the answer: it comes with the back.
    assert "Restores always make a new instance." not in page
    token = hidden(page, "token")
    learner_client.post("/study/check/", {"token": token, "scope": "exam", "pick": "B"})
    back = learner_client.get("/study/", {"scope": "exam", "reveal": token}).content.decode()
    assert "Exam tip" in back and "Restores always make a new instance." in back


def test_a_topic_scope_studies_that_topics_lessons(learner_client):
    topic = make_topic(slug="rds")
    make_card(lesson=make_lesson(topic=topic), front="In the topic?")
    make_card(front="Elsewhere?")
    page = learner_client.get("/study/?scope=topic:rds").content.decode()
    assert "Study: this topic" in page
    assert "In the topic?" in page and "Elsewhere?" not in page
