"""An instructor imports an Anki deck in the admin, in a real browser: previewed with its report,
imported, and the draft lesson read with its image, served by the portal under the site's
Content Security Policy (img-src 'self')."""

from __future__ import annotations

import pytest
from anki.collection import Collection
from playwright.sync_api import expect

from lessons.models import Lesson
from tests.browser.conftest import new_page
from tests.browser.test_lesson_admin_browser import admin_log_in
from tests.decks.conftest import PNG, add_media, add_note, export

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def package_path(tmp_path):
    collection = Collection(str(tmp_path / "authored.anki2"))
    try:
        png = add_media(collection, tmp_path, "diagram.png", PNG)
        add_note(collection, "Basic", "AWS::RDS", f'Retention? <img src="{png}">', "35 days")
        add_note(collection, "Cloze", "AWS::RDS", "{{c1::Aurora}} keeps six copies", "")
        path = tmp_path / "rds.apkg"
        path.write_bytes(export(collection, tmp_path))
    finally:
        collection.close()
    return path


def test_import_a_deck_then_read_its_lesson_with_its_image(
    live_server, browser, instructor, package_path
):
    with new_page(browser) as page:
        admin_log_in(page, live_server, instructor)
        page.goto(f"{live_server.url}/admin/lessons/lesson/")
        page.get_by_role("link", name="Import Anki deck").click()
        page.get_by_label("Anki packages:").set_input_files(str(package_path))
        page.get_by_label("Preview only").check()
        page.get_by_role("button", name="Import").click()
        report = page.locator("#import-report")
        expect(report).to_contain_text("Deck “AWS::RDS” → lesson “RDS” (aws-rds)")
        expect(report).to_contain_text("Images kept: 1")
        assert not Lesson.objects.exists()

        page.get_by_label("Anki packages:").set_input_files(str(package_path))
        page.get_by_label("Preview only").uncheck()
        page.get_by_role("button", name="Import").click()
        expect(page.locator(".messagelist")).to_contain_text("Created: aws-rds")

        page.goto(f"{live_server.url}/lessons/aws-rds/")
        image = page.locator("main img[src^='/anki/media/']").first
        expect(image).to_be_visible()
        page.wait_for_function(
            "() => [...document.querySelectorAll(\"main img[src^='/anki/media/']\")]"
            ".every(img => img.complete && img.naturalWidth > 0)"
        )
        expect(page.locator("main mark").first).to_have_text("Aurora")
