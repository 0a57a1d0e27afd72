"""A lesson page's first load stays light: HTML, CSS and JavaScript, compressed, at most 40 KB."""

from __future__ import annotations

import gzip

import pytest

from tests.browser.conftest import new_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BUDGET = 40 * 1024


def test_a_lesson_page_first_load_is_at_most_40_kb_compressed(
    live_server, browser, bundled_content
):
    # The handler only keeps the responses; their bodies are read once the page has loaded.
    # Reading a body inside the handler races the page: under load it can close first.
    responses = []
    with new_page(browser) as page:  # a fresh context, so an empty cache: a first visit
        page.on("response", lambda response: responses.append(response))
        # The longest bundled lesson, with its decision tree.
        page.goto(f"{live_server.url}/lessons/restore-paths/", wait_until="networkidle")
        bodies = {
            response.url: response.body()
            for response in responses
            if response.request.resource_type in ("document", "stylesheet", "script")
        }

    # What a server compressing with gzip (WhiteNoise's precompressed files, or the HTML
    # compressed on the way out) would send.
    sizes = {url: len(gzip.compress(body, compresslevel=6)) for url, body in bodies.items()}
    kinds = {url.rsplit("/", 1)[-1] or "document" for url in sizes}
    assert any(name.endswith(".css") for name in kinds) and any(".js" in name for name in kinds)
    total = sum(sizes.values())
    assert total <= BUDGET, f"{total} bytes: {sizes}"
