"""Decision trees in a real browser: htmx steps without page loads, keyboard only, and no JS."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.conftest import make_lesson, make_tree
from tests.trees.test_bundled import EXPECTED
from trees.selectors import trees_by_slug

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def lesson(db):
    make_tree(slug="ways", title="Which way to go?")
    make_tree(slug="other", title="Another tree")
    return make_lesson(
        slug="guide",
        title="Guide",
        body="## Intro\n\nText.\n\n[[tree:ways]]\n\n## Middle\n\nMore.\n\n[[tree:other]]\n",
    )


def mark_document(page) -> None:
    """Tag the loaded document; a full page load would lose the tag."""
    page.evaluate("window.__sameDocument = true")


def still_same_document(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def choose(page, tree_id: str, link, expected_heading: str) -> None:
    """Click a link in a tree, then wait for the next step to be shown and processed by htmx."""
    link.click()
    expect(page.locator(f"#{tree_id} [data-tree-focus]")).to_have_text(expected_heading)
    expect(page.locator(f"#{tree_id}[data-ready]")).to_have_count(1)


def test_clicking_through_swaps_steps_in_place_with_back_and_start_over(live_server, page, lesson):
    page.goto(f"{live_server.url}/lessons/guide/")
    mark_document(page)
    tree = page.locator("#tree-ways")
    other = page.locator("#tree-other")

    expect(page.locator("#tree-ways[data-ready]")).to_have_count(1)
    choose(page, "tree-ways", tree.get_by_role("link", name="Right"), "Are you sure?")
    expect(tree.get_by_role("heading", name="Are you sure?")).to_be_focused()
    expect(page.locator("#tree-ways").locator("xpath=..").locator("[data-tree-live]")).to_have_text(
        "Question 2: Are you sure?"
    )
    expect(page).to_have_url(re.compile(r"\?tree-ways=2#tree-ways$"))

    choose(page, "tree-ways", tree.get_by_role("link", name="No"), "You went left")
    expect(tree.get_by_text("How you got here")).to_be_visible()

    choose(page, "tree-ways", tree.get_by_role("link", name="Back"), "Are you sure?")
    choose(page, "tree-ways", tree.get_by_role("link", name="Start over"), "Which way?")
    expect(page).to_have_url(re.compile(r"/lessons/guide/#tree-ways$"))

    # The other tree on the page moves on its own.
    choose(page, "tree-other", other.get_by_role("link", name="Left"), "You went left")
    expect(tree.get_by_role("heading", name="Which way?")).to_be_visible()
    assert still_same_document(page)


def test_reloading_a_shared_step_shows_the_same_step(live_server, page, lesson):
    page.goto(f"{live_server.url}/lessons/guide/")
    page.locator("#tree-ways").get_by_role("link", name="Right").click()
    expect(page).to_have_url(re.compile(r"tree-ways=2"))
    page.reload()
    expect(page.locator("#tree-ways").get_by_role("heading", name="Are you sure?")).to_be_visible()


def test_an_outcome_is_reached_by_keyboard_alone(live_server, page, lesson):
    page.goto(f"{live_server.url}/lessons/guide/")
    mark_document(page)
    # Tab from the top of the page to the tree's first answer.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Left" and page.evaluate(
            "document.activeElement.closest('#tree-ways') !== null"
        ):
            break
    else:
        pytest.fail("Tab never reached the tree's first answer")
    page.keyboard.press("Tab")  # the second answer: "Right"
    page.keyboard.press("Enter")
    question = page.locator("#tree-ways").get_by_role("heading", name="Are you sure?")
    expect(question).to_be_focused()
    page.keyboard.press("Tab")  # focus moved to the question, so the next stop is "Yes"
    page.keyboard.press("Enter")
    outcome = page.locator("#tree-ways").get_by_role("heading", name="You went right")
    expect(outcome).to_be_focused()
    assert still_same_document(page)


def test_without_javascript_the_same_links_reload_the_page_at_each_step(
    live_server, browser, lesson
):
    with new_page(browser, java_script_enabled=False) as page:
        page.goto(f"{live_server.url}/lessons/guide/")
        tree = page.locator("#tree-ways")
        tree.get_by_role("link", name="Right").click()
        expect(page).to_have_url(re.compile(r"/lessons/guide/\?tree-ways=2#tree-ways$"))
        tree.get_by_role("link", name="Yes").click()
        expect(tree.get_by_role("heading", name="You went right")).to_be_visible()
        tree.get_by_role("link", name="Back").click()
        expect(tree.get_by_role("heading", name="Are you sure?")).to_be_visible()


def test_every_bundled_tree_walks_to_every_outcome_with_htmx(live_server, page, bundled_content):
    specs = {slug: tree.to_spec() for slug, tree in trees_by_slug(list(EXPECTED)).items()}
    for slug, paths in EXPECTED.items():
        page.goto(f"{live_server.url}/trees/{slug}/")
        mark_document(page)
        tree = page.locator(f"#tree-{slug}")
        spec = specs[slug]
        expect(page.locator(f"#tree-{slug}[data-ready]")).to_have_count(1)
        for index, (path, outcome) in enumerate(paths.items()):
            if index:
                start = spec.nodes[spec.start_key].text
                choose(page, f"tree-{slug}", tree.get_by_role("link", name="Start over"), start)
            node = spec.nodes[spec.start_key]
            for number in path:
                node = spec.nodes[node.choices[number - 1].target]
                choose(
                    page, f"tree-{slug}", tree.locator(".tree__choice").nth(number - 1), node.text
                )
            assert node.key == outcome
        assert still_same_document(page), slug
