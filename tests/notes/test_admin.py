"""The review of a lesson's suggested cards in the admin (notes/admin.py, on LessonAdmin): the
lesson list's column, the lesson page's summary, the review page, and every decision on it,
plain and with htmx."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from flashcards.models import Card, Prompt
from lessons.models import Lesson
from notes.models import Suggestion
from tests.conftest import make_lesson, make_user, preview_document
from tests.notes.conftest import SUGGESTING_NOTE as NOTE
from tests.notes.conftest import import_suggesting_note as import_note

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def lesson() -> Lesson:
    return import_note()


def url(lesson: Lesson) -> str:
    return f"/admin/lessons/lesson/{lesson.pk}/suggestions/"


def pending(lesson: Lesson) -> list[Suggestion]:
    return list(Suggestion.objects.filter(lesson=lesson).pending().order_by("position"))


def row_html(page: str, suggestion: Suggestion) -> str:
    """The article of one suggestion on the page."""
    start = page.index(
        f'<article class="module suggestion suggestion--{suggestion.status}" '
        f'id="suggestion-{suggestion.pk}"'
    )
    return page[start : page.index("</article>", start)]


def edited(suggestion: Suggestion, **fields) -> dict:
    data = {
        "kind": suggestion.kind,
        "front": suggestion.front,
        "back": suggestion.back,
        "section": suggestion.section,
        "exam": suggestion.exam,
        "accept_edited": str(suggestion.pk),
    }
    return {**data, **fields}


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# Beside the lesson ----------------------------------------------------------------------------


def test_the_note_suggests_four_cards(lesson):
    assert [s.rule for s in pending(lesson)] == ["definition", "bold", "bold", "exam-anchor"]


def test_the_lesson_list_counts_the_suggestions_waiting_and_links_to_them(
    instructor_client, lesson
):
    Suggestion.objects.filter(pk=pending(lesson)[0].pk).update(status="rejected")
    page = instructor_client.get("/admin/lessons/lesson/").content.decode()
    assert "Suggestions" in page
    assert (
        f'<a href="{url(lesson)}" aria-label="3 suggested cards of “Backups” waiting">3</a>' in page
    )


def test_the_lesson_lists_column_costs_no_query_per_lesson(instructor_client, lesson):
    def queries() -> int:
        instructor_client.get("/admin/lessons/lesson/")
        with CaptureQueriesContext(connection) as captured:
            assert instructor_client.get("/admin/lessons/lesson/").status_code == 200
        return len(captured.captured_queries)

    before = queries()
    for number in range(5):
        title = f"Backups {number}"
        import_note(NOTE.replace("— Backups", f"— {title}"), f"backups-{number}")
    assert Suggestion.objects.count() == 24
    assert queries() == before


def test_the_lesson_page_says_how_many_wait_and_links_to_the_review(instructor_client, lesson):
    suggestions = pending(lesson)
    Suggestion.objects.filter(pk=suggestions[0].pk).update(status="accepted")
    page = instructor_client.get(f"/admin/lessons/lesson/{lesson.pk}/change/").content.decode()
    assert "3 waiting for a decision, 1 accepted, 0 rejected." in page
    assert f'<a href="{url(lesson)}">Review the suggested cards</a>' in page


def test_a_lesson_without_suggestions_says_how_to_have_some(instructor_client):
    other = make_lesson()
    page = instructor_client.get(f"/admin/lessons/lesson/{other.pk}/change/").content.decode()
    assert "None. Import the lesson's note with “Suggest cards” to have some." in page.replace(
        "&#x27;", "'"
    )
    add = instructor_client.get("/admin/lessons/lesson/add/").content.decode()
    assert "Suggested cards" not in add


# The review page ------------------------------------------------------------------------------


def test_the_review_page_shows_each_suggestion_its_rule_source_section_and_card(
    instructor_client, lesson
):
    response = instructor_client.get(url(lesson))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" in page and "4 waiting for a decision</strong>, 0 accepted, 0 rejected." in page
    assert '<li aria-current="page">Suggested cards</li>' in page  # the admin's breadcrumbs
    assert f'<a href="/admin/lessons/lesson/{lesson.pk}/change/">Backups</a>' in page
    definition, bold, _, exam = pending(lesson)
    row = row_html(page, definition)
    assert "Basic card, rule “term: definition”" in row
    assert f"From line {definition.line}" in row and "Retention: **1–35 days**." in row
    assert '<a href="/lessons/backups/#rds-backups">RDS backups</a>' in row
    assert "RDS backups › Automated backups — Retention?" in row and "1–35 days" in row
    # The card as learners study it, drawn by the card preview in its frame.
    document = preview_document(row)
    assert "The card: front, then back" in document
    assert "RDS backups › Automated backups — Retention?" in document
    row = row_html(page, bold)
    assert "Cloze card, rule “bold phrase”" in row
    assert "<mark>[…]</mark>" in preview_document(row)
    row = row_html(page, exam)
    assert "rule “exam anchor”" in row and "Exam line" in row
    assert "Exam tip" in preview_document(row)
    # In the note's order, each with its buttons, its checkbox and its edit fields.
    positions = [page.index(f'id="suggestion-{s.pk}"') for s in pending(lesson)]
    assert positions == sorted(positions)
    assert page.count('name="selected"') == 4 and page.count('form="suggestions-bulk"') == 4
    assert f'name="accept" value="{bold.pk}"' in page and f'name="reject" value="{bold.pk}"' in page
    assert f'id="id_suggestion-{bold.pk}-front"' in page
    # The edit's section is a choice of the lesson's headings, as on the card form.
    assert '<option value="restore">Restore — #restore</option>' in page
    # The previews follow the typing through the card admin's preview, and none asks on load.
    assert page.count('hx-post="/admin/flashcards/card/preview/"') == 4
    assert 'hx-trigger="load' not in page


def test_the_review_page_works_for_a_lesson_without_suggestions(instructor_client):
    page = instructor_client.get(url(make_lesson())).content.decode()
    assert "0 waiting for a decision" in page and "Import notes" in page
    assert "Accept all" not in page


def test_the_review_page_of_a_lesson_that_does_not_exist_is_a_404(instructor_client):
    assert instructor_client.get("/admin/lessons/lesson/999999/suggestions/").status_code == 404


# Deciding -----------------------------------------------------------------------------------


def test_accepting_one_makes_it_an_ordinary_card_with_prompts(
    instructor_client, instructor, lesson
):
    bold = pending(lesson)[1]
    response = instructor_client.post(url(lesson), {"accept": bold.pk}, follow=True)
    assert response.redirect_chain == [(url(lesson), 302)]
    assert messages_of(response) == ["Accepted 1 suggestion as a card."]
    bold.refresh_from_db()
    assert bold.status == "accepted" and bold.decided_by == instructor
    card = bold.card
    assert (card.kind, card.front, card.origin) == ("cloze", bold.front, Card.Origin.SUGGESTION)
    assert card.section == "rds-backups" and Prompt.objects.filter(card=card).count() == 1
    page = response.content.decode()
    assert f'<a href="/admin/flashcards/card/{card.pk}/change/">Open its card</a>' in page
    assert "3 waiting for a decision</strong>, 1 accepted" in page


def test_accept_all_makes_every_pending_suggestion_a_card(instructor_client, lesson):
    response = instructor_client.post(url(lesson), {"accept_all": "1"}, follow=True)
    assert messages_of(response) == ["Accepted 4 suggestions as cards."]
    assert pending(lesson) == []
    assert Card.objects.filter(lesson=lesson, origin=Card.Origin.SUGGESTION).count() == 4


def test_accept_selected_takes_only_those_ticked(instructor_client, lesson):
    first, second, third, _ = pending(lesson)
    response = instructor_client.post(
        url(lesson), {"accept_selected": "1", "selected": [first.pk, third.pk]}, follow=True
    )
    assert messages_of(response) == ["Accepted 2 suggestions as cards."]
    assert [s.pk for s in pending(lesson)][0] == second.pk and len(pending(lesson)) == 2


def test_reject_selected_and_reject_all(instructor_client, lesson):
    first = pending(lesson)[0]
    response = instructor_client.post(
        url(lesson), {"reject_selected": "1", "selected": [first.pk]}, follow=True
    )
    assert messages_of(response) == ["Rejected 1 suggestion."]
    response = instructor_client.post(url(lesson), {"reject_all": "1"}, follow=True)
    assert messages_of(response) == ["Rejected 3 suggestions."]
    assert Suggestion.objects.filter(lesson=lesson, status="rejected").count() == 4
    assert not Card.objects.filter(lesson=lesson).exists()


def test_a_bulk_action_with_nothing_selected_says_so(instructor_client, lesson):
    response = instructor_client.post(url(lesson), {"accept_selected": "1"}, follow=True)
    assert messages_of(response) == ["Select the suggestions first: none was selected."]
    assert len(pending(lesson)) == 4


def test_an_edited_suggestion_is_accepted_as_edited_and_can_be_studied(
    instructor_client, lesson, learner
):
    definition = pending(lesson)[0]
    data = edited(
        definition,
        kind="reversed",
        front="Retention of RDS automated backups",
        back="1 to 35 days",
        section="restore",
        exam="RDS keeps automated backups 1 to 35 days.",
    )
    response = instructor_client.post(url(lesson), data, follow=True)
    assert messages_of(response) == ["Accepted 1 suggestion as a card."]
    definition.refresh_from_db()
    card = definition.card
    assert (card.kind, card.front, card.back, card.section, card.exam) == (
        "reversed",
        "Retention of RDS automated backups",
        "1 to 35 days",
        "restore",
        "RDS keeps automated backups 1 to 35 days.",
    )
    assert Prompt.objects.filter(card=card, is_active=True).count() == 2
    learner_client = Client()
    learner_client.force_login(learner)
    study = learner_client.get("/study/?scope=lesson:backups").content.decode()
    assert "Retention of RDS automated backups" in study


def test_an_edit_that_cannot_be_a_card_shows_its_error_and_saves_nothing(instructor_client, lesson):
    bold = pending(lesson)[1]
    data = edited(bold, front="No deletion here at all.")
    response = instructor_client.post(url(lesson), data)
    assert response.status_code == 200
    page = response.content.decode()
    row = row_html(page, bold)
    assert "a cloze card needs at least one {{c1::...}} deletion" in row
    assert "No deletion here at all." in row  # what was typed stays, the edit fields open
    assert re.search(r'<details class="suggestion__edit" open>', row)
    assert "As you typed it (not saved)." in row
    # Said at the top of the suggestion too, where focus goes.
    assert 'role="alert"' in row and row.count("a cloze card needs at least one") >= 2
    assert messages_of(response) == [
        "Nothing was saved. a cloze card needs at least one {{c1::...}} deletion"
    ]
    assert len(pending(lesson)) == 4 and not Card.objects.filter(lesson=lesson).exists()


def test_an_edit_naming_a_heading_the_lesson_lacks_is_refused(instructor_client, lesson):
    bold = pending(lesson)[1]
    response = instructor_client.post(url(lesson), edited(bold, section="nowhere"))
    assert "“#nowhere” is not a heading of the lesson." in row_html(response.content.decode(), bold)
    assert not Card.objects.filter(lesson=lesson).exists()


def test_accept_all_with_a_suggestion_whose_heading_is_gone_accepts_nothing(
    instructor_client, lesson
):
    lesson.body = lesson.body.replace("## Restore", "## Restoring")
    lesson.save()
    restore = pending(lesson)[2]
    assert restore.section == "restore"
    response = instructor_client.post(url(lesson), {"accept_all": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert messages_of(response) == [
        "Nothing was accepted: 1 suggestion cannot be a card as it stands (shown at each). "
        "Edit and accept, or reject, it first."
    ]
    row = row_html(page, restore)
    assert "section &#x27;#restore&#x27; is not a heading of the lesson" in row
    assert "(no longer a heading of the lesson)" in row
    assert len(pending(lesson)) == 4 and not Card.objects.filter(lesson=lesson).exists()


def test_rejected_ones_are_listed_apart_and_can_be_reopened(instructor_client, lesson):
    bold = pending(lesson)[1]
    response = instructor_client.post(url(lesson), {"reject": bold.pk}, follow=True)
    assert messages_of(response) == ["Rejected 1 suggestion."]
    page = response.content.decode()
    rejected = page[page.index('<h2 class="suggestions__heading">Rejected</h2>') :]
    assert f'id="suggestion-{bold.pk}"' in rejected
    assert f'name="reopen" value="{bold.pk}"' in rejected
    response = instructor_client.post(url(lesson), {"reopen": bold.pk}, follow=True)
    assert messages_of(response) == ["Reopened 1 suggestion."]
    assert len(pending(lesson)) == 4


def test_a_rejected_suggestion_is_not_proposed_again_by_the_same_note(instructor_client, lesson):
    bold = pending(lesson)[1]
    instructor_client.post(url(lesson), {"reject": bold.pk})
    import_note()
    bold.refresh_from_db()
    assert bold.status == "rejected" and len(pending(lesson)) == 3
    # A changed sentence is a new suggestion.
    import_note(NOTE.replace("retention to **0**.", "retention to **zero**."))
    assert len(pending(lesson)) == 4


def test_a_suggestion_decided_meanwhile_saves_nothing_and_says_so(instructor_client, lesson):
    bold = pending(lesson)[1]
    Suggestion.objects.filter(pk=bold.pk).update(status="rejected")  # in another tab
    for data in ({"accept": bold.pk}, {"reject": bold.pk}, edited(bold)):
        response = instructor_client.post(url(lesson), data)
        assert response.status_code == 200
        assert "was decided meanwhile" in messages_of(response)[0]
        assert "was decided meanwhile" in row_html(
            response.content.decode(), Suggestion.objects.get(pk=bold.pk)
        )
    response = instructor_client.post(
        url(lesson),
        {"accept_selected": "1", "selected": [bold.pk, pending(lesson)[0].pk]},
        follow=True,
    )
    assert "was decided meanwhile" in messages_of(response)[0]
    assert not Card.objects.filter(lesson=lesson).exists()


def test_a_suggestion_withdrawn_by_a_reimport_is_no_longer_there(instructor_client, lesson):
    response = instructor_client.post(url(lesson), {"accept": "999999"}, follow=True)
    assert messages_of(response) == ["That suggestion is no longer there; nothing was saved."]


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999999"])
def test_a_suggestion_id_that_is_not_one_is_no_suggestion(instructor_client, lesson, value):
    response = instructor_client.post(url(lesson), {"accept": value}, follow=True)
    assert messages_of(response) == ["That suggestion is no longer there; nothing was saved."]
    response = instructor_client.post(url(lesson), {"accept_selected": "1", "selected": [value]})
    assert response.status_code in (200, 302)
    assert not Card.objects.filter(lesson=lesson).exists()


def test_a_post_naming_no_action_changes_nothing(instructor_client, lesson):
    response = instructor_client.post(url(lesson), {"selected": pending(lesson)[0].pk})
    assert response.status_code == 200
    assert messages_of(response) == ["Choose what to do with the suggestions: no button was named."]
    assert len(pending(lesson)) == 4


# With htmx: a row in place --------------------------------------------------------------------


def test_htmx_accept_replaces_the_row_and_the_counts(instructor_client, lesson):
    bold = pending(lesson)[1]
    response = instructor_client.post(url(lesson), {"accept": bold.pk}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert f'class="module suggestion suggestion--accepted" id="suggestion-{bold.pk}"' in page
    assert "Accepted as a card." in page and "Open its card" in page
    assert 'id="suggestion-counts" class="suggestions__counts" hx-swap-oob="true"' in page
    assert "3 waiting for a decision</strong>, 1 accepted" in page
    assert "HX-Request" in response["Vary"]
    assert not list(response.wsgi_request._messages)  # said in place, not on the next page


def test_htmx_invalid_edit_comes_back_in_place_with_a_200(instructor_client, lesson):
    bold = pending(lesson)[1]
    response = instructor_client.post(url(lesson), edited(bold, front=""), **HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert f'id="suggestion-{bold.pk}"' in page and "This field is required." in page
    assert '<details class="suggestion__edit" open>' in page
    assert len(pending(lesson)) == 4


def test_htmx_reject_then_reopen_in_place(instructor_client, lesson):
    bold = pending(lesson)[1]
    page = instructor_client.post(url(lesson), {"reject": bold.pk}, **HTMX).content.decode()
    assert "suggestion--rejected" in page and f'name="reopen" value="{bold.pk}"' in page
    assert "not proposed again while its sentence stays" in page
    page = instructor_client.post(url(lesson), {"reopen": bold.pk}, **HTMX).content.decode()
    assert "suggestion--pending" in page and "Reopened: it waits for a decision again." in page


def test_htmx_decided_meanwhile_shows_the_row_as_it_now_stands(instructor_client, lesson):
    bold = pending(lesson)[1]
    Suggestion.objects.filter(pk=bold.pk).update(status="rejected")
    page = instructor_client.post(url(lesson), {"accept": bold.pk}, **HTMX).content.decode()
    assert "suggestion--rejected" in page and "was decided meanwhile" in page


def test_htmx_for_a_suggestion_no_longer_there_reloads_the_page(instructor_client, lesson):
    response = instructor_client.post(url(lesson), {"accept": "999999"}, **HTMX)
    assert response["HX-Redirect"] == url(lesson)


# Who may ------------------------------------------------------------------------------------


def test_visitors_and_learners_are_sent_to_the_admins_log_in(client, learner, lesson):
    for who in (None, learner):
        if who:
            client.force_login(who)
        for response in (client.get(url(lesson)), client.post(url(lesson), {"accept_all": "1"})):
            assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert len(pending(lesson)) == 4


def staff_with(*codenames: str):
    user = make_user(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.mark.parametrize("missing", ["add_card", "change_lesson", "change_suggestion"])
def test_staff_without_every_right_it_needs_get_a_403(client, lesson, missing):
    rights = {"view_lesson", "change_lesson", "add_card", "change_suggestion"} - {missing}
    client.force_login(staff_with(*rights))
    assert client.get(url(lesson)).status_code == 403
    assert client.post(url(lesson), {"accept_all": "1"}).status_code == 403
    assert len(pending(lesson)) == 4


def test_a_post_without_the_csrf_token_is_refused(instructor, lesson):
    client = Client(enforce_csrf_checks=True)
    client.force_login(instructor)
    assert client.post(url(lesson), {"accept_all": "1"}).status_code == 403
    assert client.post(url(lesson), {"accept_all": "1"}, **HTMX).status_code == 403
    assert len(pending(lesson)) == 4


# Every lesson's suggestions in one list (SuggestionAdmin) --------------------------------------

LIST = "/admin/notes/suggestion/"


def test_the_list_shows_suggestions_across_lessons_with_filters_and_search(
    instructor_client, lesson
):
    page = instructor_client.get(LIST).content.decode()
    assert page.count('class="action-checkbox"') == 4
    assert f'<a href="{url(lesson)}">Backups</a>' in page
    assert "term: definition" in page and "exam anchor" in page
    page = instructor_client.get(LIST + "?rule__exact=bold").content.decode()
    assert page.count('class="action-checkbox"') == 2
    page = instructor_client.get(LIST + "?q=Percona").content.decode()
    assert page.count('class="action-checkbox"') == 0
    page = instructor_client.get(LIST + "?q=retention").content.decode()
    assert page.count('class="action-checkbox"') == 2  # the front or the source


def test_the_list_hides_learners_private_lessons_suggestions(instructor_client, lesson):
    owner = make_user()
    lesson.topic.owner = owner
    lesson.topic.save()
    page = instructor_client.get(LIST).content.decode()
    assert page.count('class="action-checkbox"') == 0 and "Backups" not in page


def test_suggestions_are_the_importers_read_only_and_none_is_added_by_hand(
    instructor_client, lesson
):
    bold = pending(lesson)[1]
    assert instructor_client.get(LIST + "add/").status_code == 403
    page = instructor_client.get(f"{LIST}{bold.pk}/change/").content.decode()
    assert 'name="front"' not in page and "Can be disabled by setting retention" in page


def test_the_list_accepts_and_rejects_the_selected(instructor_client, lesson):
    first, second, third, fourth = pending(lesson)
    Suggestion.objects.filter(pk=fourth.pk).update(status="rejected")
    response = instructor_client.post(
        LIST,
        {"action": "accept", "_selected_action": [first.pk, second.pk, fourth.pk]},
        follow=True,
    )
    assert messages_of(response) == [
        "Accepted 2 suggestions as cards.",
        "1 already decided, left as they were (reopen a rejected one on its lesson's review page).",
    ]
    assert Card.objects.filter(lesson=lesson, origin=Card.Origin.SUGGESTION).count() == 2
    response = instructor_client.post(
        LIST, {"action": "reject", "_selected_action": [third.pk]}, follow=True
    )
    assert messages_of(response) == ["Rejected 1 suggestion."]
    assert pending(lesson) == []


def test_the_lists_accept_is_all_or_nothing_across_lessons(instructor_client, lesson):
    other = import_note(NOTE.replace("# 2026-01-06 — Backups", "# 2026-01-06 — Other"), "other")
    other.body = other.body.replace("## Restore", "## Restoring")
    other.save()
    chosen = [*pending(lesson), *pending(other)]
    response = instructor_client.post(
        LIST, {"action": "accept", "_selected_action": [s.pk for s in chosen]}, follow=True
    )
    assert messages_of(response) == [
        "Nothing was accepted: 1 suggestion(s) cannot be a card as it stands; their lessons' "
        "review pages show why."
    ]
    assert not Card.objects.filter(origin=Card.Origin.SUGGESTION).exists()


def test_the_lists_actions_need_the_review_rights(client, lesson):
    client.force_login(staff_with("view_suggestion", "change_suggestion"))
    page = client.get(LIST).content.decode()
    assert 'value="accept"' not in page and 'value="reject"' not in page
