"""The review of a lesson's suggested cards (notes/admin.py) in a real browser: from the lesson
list to the review, an edit whose preview follows the typing, accepted in place with htmx, one
rejected in place, the rest accepted at once; and the same decisions without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from flashcards.models import Card
from notes.models import Suggestion
from tests.browser.conftest import new_page
from tests.browser.test_preview_browser import admin_log_in
from tests.notes.conftest import import_suggesting_note

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def suggestions_of(lesson) -> list[Suggestion]:
    return list(Suggestion.objects.filter(lesson=lesson).order_by("position"))


def test_an_instructor_edits_accepts_rejects_and_accepts_the_rest(live_server, browser):
    lesson = import_suggesting_note()
    definition, bold, restore, exam = suggestions_of(lesson)
    with new_page(browser) as page:
        admin_log_in(page, live_server)
        page.goto(f"{live_server.url}/admin/lessons/lesson/")
        page.get_by_role("link", name="4 suggested cards of “Backups” waiting").click()
        expect(page.get_by_role("heading", name="Suggested cards for “Backups”")).to_be_visible()
        counts = page.locator("#suggestion-counts")
        expect(counts).to_contain_text("4 waiting for a decision")

        # Edit the bold phrase's cloze: its preview follows the typing.
        row = page.locator(f"#suggestion-{bold.pk}")
        frame = row.frame_locator(".live-preview__frame")
        expect(frame.locator(".flashcard__face").first).to_contain_text("retention to […]")
        row.get_by_text("Edit then accept").click()
        row.get_by_label("Front").fill("Setting retention to {{c1::0}} disables RDS backups.")
        expect(row.locator(".live-preview__status")).to_have_text(
            "Your changes as learners will see them (not saved yet)."
        )
        expect(frame.locator(".flashcard__face").first).to_contain_text(
            "Setting retention to […] disables RDS backups."
        )
        expect(frame.locator(".flashcard__face").nth(1)).to_contain_text("0 disables")
        row.get_by_role("button", name="Accept as edited").click()
        notice = page.locator(f"#suggestion-{bold.pk} .suggestion__notice")
        expect(notice).to_have_text("Accepted as edited, as a card.")
        expect(notice).to_be_focused()
        expect(counts).to_contain_text("3 waiting for a decision")
        assert page.url.endswith(f"/admin/lessons/lesson/{lesson.pk}/suggestions/")

        # Reject another, in place; it can be reopened from there.
        page.locator(f"#suggestion-{restore.pk}").get_by_role("button", name="Reject").click()
        rejected = page.locator(f"#suggestion-{restore.pk}")
        expect(rejected.get_by_role("button", name="Reopen")).to_be_visible()
        expect(counts).to_contain_text("2 waiting for a decision")

        # The rest at once.
        page.get_by_role("button", name="Accept all").click()
        expect(page.locator(".messagelist")).to_contain_text("Accepted 2 suggestions as cards.")
        expect(counts).to_contain_text("0 waiting for a decision, 3 accepted, 1 rejected")

    cards = Card.objects.filter(lesson=lesson, origin=Card.Origin.SUGGESTION)
    assert sorted(cards.values_list("front", flat=True)) == sorted(
        [
            "Setting retention to {{c1::0}} disables RDS backups.",
            definition.front,
            exam.front,
        ]
    )
    assert Suggestion.objects.get(pk=restore.pk).status == "rejected"


def test_select_all_then_reject_selected(live_server, browser):
    lesson = import_suggesting_note()
    with new_page(browser) as page:
        admin_log_in(page, live_server)
        page.goto(f"{live_server.url}/admin/lessons/lesson/{lesson.pk}/suggestions/")
        page.get_by_label("Select all").check()
        boxes = page.locator("input[name=selected]")
        for index in range(boxes.count()):
            expect(boxes.nth(index)).to_be_checked()
        page.get_by_role("button", name="Reject selected").click()
        expect(page.locator(".messagelist")).to_contain_text("Rejected 4 suggestions.")
    assert Suggestion.objects.filter(lesson=lesson, status="rejected").count() == 4


def test_without_javascript_the_same_forms_decide(live_server, browser):
    lesson = import_suggesting_note()
    definition, bold, _, _ = suggestions_of(lesson)
    with new_page(browser, java_script_enabled=False) as page:
        admin_log_in(page, live_server)
        page.goto(f"{live_server.url}/admin/lessons/lesson/{lesson.pk}/suggestions/")
        expect(page.get_by_label("Select all")).to_be_hidden()  # it needs a script
        # An edit that cannot be a card comes back with its error, nothing saved.
        row = page.locator(f"#suggestion-{bold.pk}")
        row.get_by_text("Edit then accept").click()
        row.get_by_label("Front").fill("No deletion at all.")
        row.get_by_role("button", name="Accept as edited").click()
        row = page.locator(f"#suggestion-{bold.pk}")
        expect(row.locator(".errorlist.nonfield")).to_contain_text(
            "a cloze card needs at least one"
        )
        expect(row.get_by_label("Front")).to_have_value("No deletion at all.")
        # Accept one, then tick one and reject it.
        page.locator(f"#suggestion-{definition.pk}").get_by_role("button", name="Accept").click()
        expect(page.locator(".messagelist")).to_contain_text("Accepted 1 suggestion as a card.")
        page.locator(f"#suggestion-{bold.pk} input[name=selected]").check()
        page.get_by_role("button", name="Reject selected").click()
        expect(page.locator(".messagelist")).to_contain_text("Rejected 1 suggestion.")
        expect(page.locator("#suggestion-counts")).to_contain_text(
            "2 waiting for a decision, 1 accepted, 1 rejected"
        )
