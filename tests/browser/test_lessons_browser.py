"""A learner reading in a real browser: home page, a lesson, a table-of-contents link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import make_lesson, make_topic

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LONG_BODY = "\n\n".join(
    [
        "> An epigraph.",
        "---",
        "## Automated backups",
        *[f"Paragraph {n} about backups. " * 12 for n in range(12)],
        "## Manual snapshots",
        *[f"Paragraph {n} about snapshots. " * 12 for n in range(12)],
        "## Audit logs",
        "Send them to CloudWatch Logs.",
    ]
)


def test_open_home_then_a_lesson_then_follow_a_contents_link(live_server, page):
    topic = make_topic(title="Amazon RDS & Aurora")
    make_lesson(topic=topic, title="Backups and recovery", slug="backups", body=LONG_BODY)
    make_lesson(topic=topic, title="Restore paths", slug="restore-paths")

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Amazon RDS & Aurora")).to_be_visible()

    page.get_by_role("link", name="Backups and recovery").click()
    expect(page).to_have_url(re.compile(r"/lessons/backups/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Backups and recovery")
    target = page.get_by_role("heading", name="Manual snapshots")
    expect(target).not_to_be_in_viewport()

    page.get_by_role("navigation", name="On this page").get_by_role(
        "link", name="Manual snapshots"
    ).click()
    expect(page).to_have_url(re.compile(r"/lessons/backups/#manual-snapshots$"))
    expect(target).to_be_in_viewport()

    page.get_by_role("link", name=re.compile("Next.*Restore paths")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Restore paths")


def test_breadcrumb_leads_back_to_the_topic(live_server, page):
    topic = make_topic(title="Security", slug="security")
    make_lesson(topic=topic, title="Encryption", slug="encryption")
    page.goto(f"{live_server.url}/lessons/encryption/")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Security").click()
    expect(page).to_have_url(re.compile(r"/topics/security/$"))
    expect(page.get_by_role("link", name="Encryption")).to_be_visible()
