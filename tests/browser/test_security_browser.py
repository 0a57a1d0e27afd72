"""Security in a real browser: the CSP listener itself, the XSS corpus rendered in one lesson
(with its tree and a card), and the admin's pages under the same policy."""

from __future__ import annotations

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from lessons.models import Lesson
from tests.browser.conftest import new_page
from tests.conftest import PASSWORD, make_card, make_lesson, make_tree, make_user
from tests.portal.test_xss_corpus import PAYLOADS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# `<img src=x>` payloads keep their (harmless, same-site) image, which is not found.
MISSING_IMAGE = "the server responded with a status of 404"

# What an attack would leave in the live DOM, after the browser's own parsing (which is where
# mutation XSS shows itself), inside any container of authored HTML.
DOM_PROBLEMS = """
() => {
  const forbidden = new Set(["script", "iframe", "frame", "frameset", "object", "embed",
    "form", "input", "button", "textarea", "select", "style", "svg", "math", "base", "meta",
    "link", "template", "noscript", "video", "audio", "source", "dialog", "marquee"]);
  const problems = [];
  for (const root of document.querySelectorAll(".prose")) {
    if (!root.hasAttribute("hx-disable")) problems.push("a .prose without hx-disable");
    for (const element of root.querySelectorAll("*")) {
      const tag = element.localName;
      if (forbidden.has(tag)) problems.push(`<${tag}>`);
      for (const { name } of element.attributes) {
        if (/^(on|hx-|data-hx-)/.test(name) || ["style", "formaction", "srcdoc"].includes(name)) {
          problems.push(`<${tag} ${name}>`);
        }
      }
      for (const property of ["href", "src"]) {
        const url = element[property];
        if (typeof url === "string" && url && !/^(https?|mailto):/.test(url)) {
          problems.push(`<${tag} ${property}="${url}">`);
        }
      }
    }
  }
  return problems;
}
"""


def note_with_the_corpus() -> str:
    body = "\n\n".join(payload for _, payload in PAYLOADS)
    # Everything before the raw-text payloads that close the corpus, as the tree's explanation.
    tree_payloads = "\n\n".join(
        payload for name, payload in PAYLOADS if not name.endswith("-unclosed")
    )
    return (
        "# XSS corpus\n\n**Source:** tests\n**Theme:** hostile Markdown\n\n---\n\n"
        "## Before\n\nSafe text.\n\n"
        "```decision-tree\nslug: xss-tree\ntitle: Hostile tree\nintro: Pick one.\n\n"
        "? first: Which way?\n- Left -> left\n- Right -> right\n\n"
        f"= left: Left\n{tree_payloads}\n\n= right: Right\nPlain.\n```\n\n"
        f"## The corpus\n\n{body}\n"
    )


def watch(page, live_server):
    """Record dialogs (dismissing them) and requests to anywhere but the test server."""
    dialogs: list[str] = []
    elsewhere: list[str] = []
    origin = urlsplit(live_server.url).netloc

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on(
        "request",
        lambda request: (
            elsewhere.append(request.url) if urlsplit(request.url).netloc != origin else None
        ),
    )
    return dialogs, elsewhere


def test_a_csp_violation_fails_the_test_even_without_a_console_message(live_server, browser):
    make_lesson(slug="plain")
    failure = pytest.raises(AssertionError, match="Content Security Policy violations")
    with failure, new_page(browser) as page:
        page.goto(f"{live_server.url}/lessons/plain/")
        # An inline script the policy must refuse (evaluate itself is not subject to it).
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.ran = true'; document.body.append(s); }"
        )
        expect(page.locator("body")).to_be_visible()
        assert page.evaluate("() => window.ran") is None
    assert "script-src-elem blocked inline" in str(failure.excinfo.value)


def test_the_xss_corpus_in_a_lesson_its_tree_and_a_card_does_nothing(
    live_server, browser, tmp_path
):
    note = tmp_path / "xss.md"
    note.write_text(note_with_the_corpus(), encoding="utf-8")
    call_command("import_notes", str(note), stdout=StringIO())
    lesson = Lesson.objects.get(slug="xss-corpus")
    corpus = "\n\n".join(payload for _, payload in PAYLOADS)
    make_card(lesson=lesson, front=corpus, back=corpus)
    make_user(username="reader")

    with new_page(browser, expected_errors=(MISSING_IMAGE,)) as page:
        dialogs, elsewhere = watch(page, live_server)
        page.goto(f"{live_server.url}{lesson.get_absolute_url()}", wait_until="networkidle")
        expect(page.get_by_role("heading", name="The corpus")).to_be_visible()
        # Hover and click through the corpus, as a curious reader would.
        for element in page.locator(".prose *").all()[:200]:
            if element.is_visible():
                element.hover(timeout=2000)
        assert page.evaluate(DOM_PROBLEMS) == []

        # The tree, stepped by htmx, to the outcome whose explanation is the corpus.
        tree = page.locator("#tree-xss-tree")
        expect(page.locator("#tree-xss-tree[data-ready]")).to_have_count(1)
        tree.get_by_role("link", name="Left").click()
        expect(tree.locator(".tree__explanation")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert page.evaluate(DOM_PROBLEMS) == []
        assert page.url.startswith(f"{live_server.url}{lesson.get_absolute_url()}")

        # The card, front and back, through the study page's htmx swaps.
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("reader")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"{live_server.url}/study/")
        expect(page.locator("#study-card[data-ready]")).to_have_count(1)
        page.get_by_role("button", name=re.compile(r"^Show answer")).click()
        expect(page.locator("#study-card[data-ready] .grades")).to_have_count(1)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(DOM_PROBLEMS) == []
        assert page.evaluate("() => document.querySelectorAll('.flashcard__face').length") == 2

        assert dialogs == []
        assert elsewhere == []

        # The DOM check can fail: markup added behind the sanitizer's back is reported. (Not
        # an event handler: merely setting one is a CSP violation, which would fail the test.)
        page.evaluate(
            """() => document.querySelector(".prose").insertAdjacentHTML(
              "beforeend", '<b hx-get="/">x</b><a href="javascript:void(0)">y</a><svg></svg>')"""
        )
        assert page.evaluate(DOM_PROBLEMS) == [
            "<b hx-get>",
            '<a href="javascript:void(0)">',
            "<svg>",
        ]


def test_the_admin_works_under_the_policy(live_server, browser):
    admin = get_user_model().objects.create_superuser(
        username="admin", password=PASSWORD, email="admin@example.com"
    )
    lesson = make_lesson(title="Backups", slug="backups")
    card = make_card(lesson=lesson)
    tree = make_tree(slug="ways")
    with new_page(browser) as page:
        page.goto(f"{live_server.url}/admin/login/")
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

        for path in (
            "/admin/lessons/lesson/",
            f"/admin/lessons/lesson/{lesson.pk}/change/",
            "/admin/lessons/lesson/import/",
            f"/admin/flashcards/card/{card.pk}/change/",
            f"/admin/auth/user/{admin.pk}/change/",
            "/admin/auth/group/add/",
        ):
            page.goto(f"{live_server.url}{path}", wait_until="networkidle")
            expect(page.locator("#content")).to_be_visible()

        # The tree's live preview: htmx in the admin, posting as the author types.
        page.goto(f"{live_server.url}/admin/trees/tree/{tree.pk}/change/")
        preview = page.locator(".live-preview__result")
        frame = page.frame_locator(".live-preview__frame")
        expect(frame.get_by_text("Which way?").first).to_be_visible()
        page.locator("textarea[name=definition]").press_sequentially("\n= extra: Unreached")
        expect(preview).to_contain_text("problem")

        # The lesson list's actions and the user page's date and permission widgets.
        page.goto(f"{live_server.url}/admin/lessons/lesson/")
        page.locator("input.action-select").first.check()
        expect(page.locator(".action-counter")).to_contain_text("1 of")
        page.goto(f"{live_server.url}/admin/auth/user/{admin.pk}/change/")
        page.get_by_role("button", name=re.compile(r"^Today")).first.click()
        page.locator("#id_user_permissions_add_all").click()
        expect(page.locator("#id_user_permissions_to option").first).to_be_attached()
