"""The roster's timings for `make bench` (bench/roster.py): what is timed, and the table."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bench.roster import BAR_MS, kinds, measure, summary, table
from flashcards.models import PromptState
from tests.conftest import make_card, make_lesson, make_user


def test_the_first_page_the_costly_sorts_and_the_lesson_filter_are_timed():
    paths = kinds("restore-paths")
    assert paths["First page (by name)"] == "/analytics/learners/"
    assert paths["By Known"].endswith("sort=-known")
    assert paths["By due now"].endswith("sort=-due")
    assert "lesson=restore-paths" in paths["One lesson, by Known"]


def test_a_kind_is_summed_up_by_its_median_and_slowest_request():
    assert summary([120.0, 80.0, 310.0]) == {"median_ms": 120.0, "max_ms": 310.0}


def test_the_table_holds_the_slowest_request_to_the_bar():
    results = {
        "bar_ms": BAR_MS,
        "kinds": {
            "By Known": {"path": "/", "queries": 10, "median_ms": 140.2, "max_ms": 180.0},
            "By due now": {"path": "/", "queries": 9, "median_ms": 250.0, "max_ms": 301.0},
        },
    }
    lines = table(results)
    assert lines[0] == "| Roster request | median ms | slowest ms | queries | within 300 ms |"
    assert lines[2] == "| By Known | 140 | 180 | 10 | yes |"
    assert lines[3] == "| By due now | 250 | 301 | 9 | **no** |"


@pytest.mark.django_db
def test_each_kind_is_answered_and_its_queries_counted():
    lesson = make_lesson(title="Restore paths")
    prompt = make_card(lesson=lesson).prompts.get()
    PromptState.objects.create(
        user=make_user(username="ann"), prompt=prompt, state=2, due=timezone.now()
    )
    results = measure(requests=1, snapshot=True)
    assert results["snapshot_rows"] == 1
    assert set(results["kinds"]) == set(kinds(lesson.slug))
    for figures in results["kinds"].values():
        assert figures["queries"] > 0
        assert figures["max_ms"] >= figures["median_ms"] > 0
    # Sorted by Known, the page reads the snapshot's time: one query more than by name.
    known, by_name = results["kinds"]["By Known"], results["kinds"]["First page (by name)"]
    assert known["queries"] == by_name["queries"] + 1
