"""An instructor in the admin, in a real browser: a lesson with a tree and a card added in one
save, then duplicated and moved; notes uploaded, refused with every problem, then imported;
all under the site's Content Security Policy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from flashcards.models import Card
from lessons.models import Lesson, Topic
from tests.browser.conftest import new_page
from tests.conftest import PASSWORD, make_topic, make_tree
from tests.notes.conftest import CARDS, TREE, note_text
from trees.models import Tree

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def admin_log_in(page, live_server, instructor) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(instructor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def test_add_a_lesson_with_a_tree_and_a_card_in_one_save_then_duplicate_and_move_it(
    live_server, browser, instructor
):
    make_topic(title="Storage")
    make_tree(slug="ways")
    with new_page(browser) as page:
        admin_log_in(page, live_server, instructor)

        page.goto(f"{live_server.url}/admin/lessons/lesson/add/")
        page.get_by_label("Title:").fill("Backups")
        page.get_by_label("Title:").press("Tab")
        expect(page.get_by_label("Slug:")).to_have_value("backups")  # the admin fills it in
        page.get_by_label("Topic:").select_option(label="Storage")
        page.get_by_label("Body:").fill("## Automated backups\n\nKept 35 days.\n\n[[tree:ways]]\n")
        page.locator("#cards-group .add-row a").click()
        page.locator("textarea[name=cards-0-front]").fill("How long are backups kept?")
        page.locator("textarea[name=cards-0-back]").fill("Up to 35 days.")
        # The section's choices follow the body as typed: the heading is not saved yet.
        page.locator("select[name=cards-0-section]").select_option(
            label="Automated backups — #automated-backups", timeout=10_000
        )
        page.get_by_role("button", name="Save", exact=True).click()

        expect(page.locator(".messagelist")).to_contain_text("was added successfully")
        lesson = Lesson.objects.get(slug="backups")
        card = lesson.cards.get()
        assert (card.section, card.prompts.count()) == ("automated-backups", 1)
        assert 'data-embed="tree:ways"' in lesson.body_html

        # Duplicate it: the copy opens, a draft with its card, its section still a choice.
        page.locator(f"input.action-select[value='{lesson.pk}']").check()
        page.get_by_label("Action:").select_option("duplicate")
        page.get_by_role("button", name="Run").click()
        expect(page.locator(".messagelist")).to_contain_text(
            "Created the draft “Backups (copy)” (backups-copy)."
        )
        expect(page.locator("textarea[name=cards-0-front]")).to_have_value(
            "How long are backups kept?"
        )
        section = page.locator("select[name=cards-0-section]")
        expect(section.locator("option")).to_have_text(
            ["— none —", "Automated backups — #automated-backups"]
        )
        expect(page.get_by_text(re.compile(f"By {instructor.username} on "))).to_be_visible()

        # Move the copy above the original, from the list.
        page.goto(f"{live_server.url}/admin/lessons/lesson/")
        page.get_by_role("button", name="Move “Backups (copy)” up").click()
        expect(page.get_by_role("button", name="Move “Backups (copy)” up")).to_be_visible()
        titles = page.locator("#result_list tbody th a")
        expect(titles).to_have_text(["Backups (copy)", "Backups"])


def note_file(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "text/markdown", "buffer": text.encode()}


def test_an_upload_lists_every_problem_of_every_file_then_a_good_one_is_imported_with_a_warning(
    live_server, browser, instructor
):
    bad_tree = TREE.replace("- Right -> right", "- Right => right")
    bad_cards = CARDS.replace("A: One.", "")
    refused = [
        note_file("routes.md", note_text(title="Routes", body=f"## Part\n\n{bad_tree}\n")),
        note_file("facts.md", note_text(title="Facts", body=f"## Part\n\n{bad_cards}\n")),
        note_file("empty.md", ""),
    ]
    with new_page(browser, expected_errors=("400 (Bad Request)",)) as page:
        admin_log_in(page, live_server, instructor)
        page.goto(f"{live_server.url}/admin/lessons/lesson/")
        listed = page.locator(".breadcrumbs")
        list_crumbs = listed.evaluate("e => getComputedStyle(e).backgroundColor")

        page.goto(f"{live_server.url}/admin/lessons/lesson/import/")
        # The admin's own breadcrumbs, styled as on its other pages.
        crumbs = page.locator(".breadcrumbs")
        expect(crumbs).to_contain_text("Import notes")
        background = crumbs.evaluate("e => getComputedStyle(e).backgroundColor")
        assert background == list_crumbs and background not in ("rgba(0, 0, 0, 0)", "transparent")

        page.get_by_label("Note files:").set_input_files(refused)
        page.get_by_role("button", name="Import").click()
        errors = page.locator(".form-row.errors .errorlist li")
        expect(errors).to_have_text(
            [
                "routes.md: line 17: decision tree: question 'first': expected a choice"
                " '- answer -> target' or an indented 'why:' line",
                "facts.md: line 13: flashcards: the card has no back: add an 'A:' line",
                "empty.md: the file is empty",
            ]
        )
        expect(page.get_by_text("Nothing was imported.")).to_be_visible()
        assert not Lesson.objects.exists() and not Tree.objects.exists()
        assert not Card.objects.exists() and not Topic.objects.exists()

        # A good note placing a tree that does not exist yet: saved, with the warning.
        good = note_text(title="Backups", body=f"## Part\n\n{CARDS}\n\n[[tree:missing]]\n")
        page.get_by_label("Note files:").set_input_files([note_file("backups.md", good)])
        page.get_by_role("button", name="Import").click()
        messages = page.locator(".messagelist")
        expect(messages.locator(".success").first).to_have_text("Created: backups  [backups.md]")
        expect(messages.locator(".warning")).to_contain_text(
            "places tree 'missing', which does not exist yet"
        )
        lesson = Lesson.objects.get(slug="backups")
        assert lesson.cards.count() == 2 and 'data-embed="tree:missing"' in lesson.body_html
