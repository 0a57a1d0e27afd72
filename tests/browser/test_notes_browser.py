"""A learner's own note in a real browser: upload it, then study its cards at once (issue 21's
"studying it with FSRS a minute later"), with JavaScript (htmx) and without."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from flashcards.models import Review, StudySettings
from tests.browser.conftest import log_in, new_page
from tests.conftest import make_user
from tests.notes.conftest import TREE, note_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NOTE = note_text(
    title="My RDS notes",
    body="## Backups\n\n- Retention is **1 to 35 days** for automated backups.\n",
)


def upload(page, name: str, text: str) -> None:
    page.get_by_label("Note files").set_input_files(
        {"name": name, "mimeType": "text/markdown", "buffer": text.encode()}
    )
    page.get_by_role("button", name="Import").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no JavaScript"])
def test_a_learner_imports_a_note_and_studies_its_cards_at_once(live_server, browser, javascript):
    learner = make_user(username="own-notes")
    # No learn-ahead: the card graded Good stays away, and the session ends with it.
    StudySettings.objects.create(user=learner, learn_ahead_minutes=0)
    # Without htmx the refused upload is a plain 400 page, which the console notes.
    refused = () if javascript else ("a status of 400",)
    with new_page(browser, java_script_enabled=javascript, expected_errors=refused) as page:
        log_in(page, live_server, "own-notes")
        page.get_by_role("link", name="My notes").first.click()
        expect(page.get_by_role("heading", name="My notes", level=1)).to_be_visible()

        # A refused note first: nothing is saved, and the problem names the file and line.
        upload(page, "trees.md", note_text(body=f"## Part\n\nText.\n\n{TREE}\n"))
        expect(page.get_by_text("Nothing was imported.")).to_be_visible()
        expect(
            page.get_by_text(re.compile(r"trees\.md: line \d+: declares decision"))
        ).to_be_visible()

        upload(page, "rds.md", NOTE)
        imported = page.locator("#notes-imported")
        expect(imported).to_contain_text("My RDS notes now has 1 card")
        imported.get_by_role("link", name=re.compile(r"^Study these cards now")).click()

        expect(page).to_have_url(re.compile(r"/study/\?scope=lesson(:|%3A)my-rds-notes-u\d+"))
        card = page.locator("#study-card")
        expect(card).to_contain_text("for automated backups")
        page.get_by_role("button", name=re.compile(r"^Show answer")).click()
        expect(card).to_contain_text("1 to 35 days")
        page.get_by_role("button", name=re.compile(r"^Good")).click()
        # The grade has landed once the session says it is over (no "Show answer" would be
        # true already on the answer's side, before the grade's request is answered).
        expect(page.get_by_role("heading", name="Session done")).to_be_visible()
    assert Review.objects.filter(user=learner).count() == 1
