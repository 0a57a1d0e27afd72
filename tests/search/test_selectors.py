"""Searching, on whichever database the suite runs on: what is found, in what order, shown how."""

from __future__ import annotations

import pytest

from flashcards.models import Card
from lessons.models import Lesson
from search.selectors import search
from tests.conftest import make_card, make_lesson, make_tree
from tests.search.conftest import found, titles
from trees.models import Tree

pytestmark = pytest.mark.django_db

RESTORE_PATHS = "/lessons/restore-paths/"


def test_percona_is_found_in_the_lesson_section_card_and_tree_that_mention_it(bundled_content):
    results = found("Percona")
    assert ("section", RESTORE_PATHS + "#into-aurora-mysql") in results
    assert ("card", RESTORE_PATHS + "#into-aurora-mysql") in results
    assert ("tree", "/trees/which-restore-path/") in results
    for result in search("Percona").results:
        assert "<mark>Percona</mark>" in result.title_html + result.snippet_html


def test_results_appear_while_the_last_word_is_still_being_typed(bundled_content):
    assert found("perc") == found("percona")
    assert found("xtrabackup auro") == found("xtrabackup aurora")


def test_every_word_must_match_and_words_match_by_their_stem(bundled_content):
    assert ("section", RESTORE_PATHS + "#restoring-creates-a-new-database") in found(
        "restores creating"
    )
    assert found("percona zeppelin") == []


def test_a_match_in_a_title_ranks_above_matches_in_a_body():
    heading = make_lesson(slug="heading", body="## Quagga facts\n\nStriped animals lived here.\n")
    body = make_lesson(slug="body", body="## Plains\n\nThe quagga, a zebra; one quagga.\n")
    page = search("quagga")
    assert [result.url for result in page.results] == [
        f"/lessons/{heading.slug}/#quagga-facts",
        f"/lessons/{body.slug}/#plains",
    ]
    assert page.results[0].rank > page.results[1].rank


def test_snippets_show_the_matched_words_marked_in_their_context():
    make_lesson(body="## Part\n\n" + "filler " * 60 + "a crucial walrus appears. " + "more " * 60)
    result = search("walrus").results[0]
    assert "<mark>walrus</mark>" in result.snippet_html
    assert "crucial" in result.snippet_html
    assert result.snippet_html.count("filler") + result.snippet_html.count("more") < 40


def test_content_that_looks_like_html_comes_out_escaped():
    make_tree(
        slug="xss",
        title='<script>alert("t")</script> Walrus tree',
        intro="<img src=x onerror=alert(1)> walrus",
    )
    make_lesson(body="## Part\n\nWalrus `<script>alert(1)</script>` & a < b.\n")
    results = search("walrus").results
    assert len(results) == 2
    for result in results:
        assert "<script" not in result.title_html + result.snippet_html
        assert "<img" not in result.title_html + result.snippet_html
    tree = next(result for result in results if result.kind == "tree")
    assert tree.title_html == (
        "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; <mark>Walrus</mark> tree"
    )
    section = next(result for result in results if result.kind == "section")
    assert "&amp; a &lt; b." in section.snippet_html


HOSTILE = [
    "",
    "   ",
    '"',
    "'",
    '""',
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(percona aurora, 2)",
    "*",
    "a*",
    "*a",
    "(",
    ")",
    "((percona",
    "-",
    "-percona",
    "percona -aurora",
    "^percona",
    "title:percona",
    "percona:",
    "{title body}: x",
    "\\",
    "%",
    "_",
    "' OR '1'='1",
    "percona' --",
    "😀",
    "東京",
    "café",
    "\x00",
    "a\x00b",
    "&",
    "|",
    "!",
    "<->",
    ":*",
    "a & b | !c",
    "percona:*",
    "Ω" * 1000,
    "percona " * 200,
    "a" * 1000,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_no_query_is_an_error(query):
    make_lesson(body="## Percona\n\nAurora, near Percona: title body.\n")
    page = search(query)
    assert page.total >= len(page.results) >= 0


def test_drafts_are_not_found_until_published_and_then_are():
    lesson = make_lesson(status=Lesson.Status.DRAFT, body="## Walrus\n\nTusks.\n")
    make_card(lesson=lesson, front="Walrus tusks?", back="Ivory.")
    assert found("walrus") == []
    Lesson.objects.filter(pk=lesson.pk).update(status=Lesson.Status.PUBLISHED)  # admin action
    assert {kind for kind, _url in found("walrus")} == {"section", "card"}


def test_retired_cards_are_not_found():
    card = make_card(front="Walrus tusks?", back="Ivory.")
    assert found("walrus") == [("card", card.lesson.get_absolute_url())]
    Card.objects.filter(pk=card.pk).update(is_active=False)  # as an import retires a card
    assert found("walrus") == []


def test_a_card_links_to_its_lesson_section():
    lesson = make_lesson(slug="tusks")
    make_card(lesson=lesson, front="Walrus tusks?", section="second-part")
    assert found("walrus") == [("card", "/lessons/tusks/#second-part")]


def test_a_tree_without_a_start_node_has_no_page_and_is_not_found():
    Tree.objects.create(slug="half", title="Walrus tree", definition="")
    assert found("walrus") == []


def test_a_tree_placed_only_in_draft_lessons_is_not_found():
    make_tree(slug="walrus", title="Walrus tree")
    lesson = make_lesson(status=Lesson.Status.DRAFT, body="[[tree:walrus]]\n")
    assert found("walrus") == []
    lesson.status = Lesson.Status.PUBLISHED
    lesson.save()
    assert ("tree", "/trees/walrus/") in found("walrus")


def test_the_count_covers_every_match_and_the_results_only_the_best():
    for number in range(5):
        make_lesson(body=f"## Part\n\nWalrus number {number}.\n")
    page = search("walrus", limit=3)
    assert (page.total, len(page.results)) == (5, 3)


def test_a_lesson_opening_is_labelled_as_the_lesson():
    make_lesson(slug="walrus", title="Walrus", summary="Tusks and whiskers.")
    (result,) = search("whiskers").results
    assert (result.kind_label, result.url, result.title) == ("Lesson", "/lessons/walrus/", "Walrus")
    assert titles("whiskers") == ["Walrus"]


def test_a_search_is_one_query_and_no_words_are_none(bundled_content, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert search("percona").total
    with django_assert_num_queries(0):
        assert search(" (*) ").results == []


def test_a_question_is_found_by_its_options_words_never_by_its_whys():
    from tests.flashcards.conftest import make_question

    make_question(lesson=make_lesson(slug="seals", body="## Snapshots\n\ntext\n"))
    assert found("Backtrack") == [("card", "/lessons/seals/#snapshots")]
    # Words only the whys hold ("retention period", "Aurora") would say which option is right.
    assert found("retention period") == []
    assert found("Aurora") == []
