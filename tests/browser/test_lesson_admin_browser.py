"""An instructor in the admin, in a real browser: a lesson with a tree and a card added in one
save, then duplicated and moved, all under the site's Content Security Policy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lessons.models import Lesson
from tests.browser.conftest import new_page
from tests.conftest import PASSWORD, make_topic, make_tree

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_add_a_lesson_with_a_tree_and_a_card_in_one_save_then_duplicate_and_move_it(
    live_server, browser, instructor
):
    make_topic(title="Storage")
    make_tree(slug="ways")
    with new_page(browser) as page:
        page.goto(f"{live_server.url}/admin/login/")
        page.get_by_label("Username").fill(instructor.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

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
