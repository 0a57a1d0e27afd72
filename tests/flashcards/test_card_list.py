"""My cards' reads: every studyable prompt with the learner's own state and marks, filtered,
sorted and paginated in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from flashcards.card_list import (
    PAGE_SIZE,
    CardFilters,
    card_list_page,
    card_rows,
    due_before,
    sort_headers,
)
from flashcards.marks import marks_change
from flashcards.models import Card, PromptMark, PromptState
from flashcards.scheduling import retrievability
from lessons.models import Lesson
from tests.conftest import grade_now, make_card, make_lesson, make_user

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def rows(user, now=NOW, **filters):
    return list(card_rows(user, CardFilters(**filters), now=now, time_zone="UTC"))


def fronts(user, **filters) -> list[str]:
    return [row["front_html"] for row in rows(user, **filters)]


@pytest.fixture
def deck(learner):
    """Four cards in two lessons: one new, one graded Easy once (in review, due in five days),
    one lapsed (relearning, due already), one new, flagged and suspended; another learner's
    state on the first."""
    first, second = make_lesson(title="First", position=1), make_lesson(title="Second", position=2)
    new = make_card(lesson=first, front="Snapshots are incremental", back="Yes").prompts.get()
    seen = make_card(lesson=first, front="PITR window", back="Five minutes").prompts.get()
    lapsed = make_card(lesson=second, front="Aurora backtrack", back="Rewind").prompts.get()
    marked = make_card(lesson=second, front="Cross-region copy", back="Snapshots").prompts.get()
    grade_now(learner, seen, 4, NOW - dt.timedelta(days=3))
    grade_now(learner, lapsed, 3, NOW - dt.timedelta(days=20))
    grade_now(learner, lapsed, 3, NOW - dt.timedelta(days=19))
    grade_now(learner, lapsed, 1, NOW - dt.timedelta(days=1))
    marks_change(user=learner, prompt_ids=[marked.pk], flag=PromptMark.Flag.RED, suspended=True)
    grade_now(make_user(username="other"), new, 4, NOW - dt.timedelta(days=1))
    return {"new": new, "seen": seen, "lapsed": lapsed, "marked": marked}


def test_every_studyable_prompt_is_a_row_with_the_learners_own_state(learner, deck):
    found = {row["pk"]: row for row in rows(learner)}
    assert set(found) == {prompt.pk for prompt in deck.values()}
    new = found[deck["new"].pk]
    assert (new["state_code"], new["due"], new["recall"], new["review_count"]) == (0, None, None, 0)
    lapsed = found[deck["lapsed"].pk]
    state = PromptState.objects.get(user=learner, prompt=deck["lapsed"])
    assert lapsed["state_code"] == PromptState.State.RELEARNING
    assert (lapsed["lapses"], lapsed["review_count"]) == (1, 3)
    assert lapsed["recall"] == pytest.approx(retrievability_now(state), abs=1e-6)
    assert (found[deck["marked"].pk]["flag"], found[deck["marked"].pk]["held"]) == (1, 2)


def retrievability_now(state):
    from flashcards.grading import scheduler_for
    from flashcards.models import StudySettings
    from flashcards.scheduling import Memory

    return retrievability(Memory.from_row(state), NOW, scheduler_for(StudySettings()))


def test_retired_cards_and_drafts_are_not_listed(learner, deck):
    Card.objects.filter(pk=deck["seen"].card_id).update(is_active=False)
    draft = make_card(lesson=make_lesson(status=Lesson.Status.DRAFT)).prompts.get()
    pks = {row["pk"] for row in rows(learner)}
    assert deck["seen"].pk not in pks
    assert draft.pk not in pks


def test_search_reads_front_and_back_without_case(learner, deck):
    assert set(fronts(learner, q="snapshots")) == {
        deck["new"].front_html,
        deck["marked"].front_html,
    }


def test_filters_by_lesson_state_flag_held_and_due(learner, deck):
    assert len(rows(learner, lesson=deck["lapsed"].card.lesson.slug)) == 2
    assert [r["pk"] for r in rows(learner, state="new")] == [deck["new"].pk, deck["marked"].pk]
    assert [r["pk"] for r in rows(learner, state="relearning")] == [deck["lapsed"].pk]
    assert [r["pk"] for r in rows(learner, flag="1")] == [deck["marked"].pk]
    assert [r["pk"] for r in rows(learner, flag="any")] == [deck["marked"].pk]
    assert rows(learner, flag="2") == []
    assert [r["pk"] for r in rows(learner, held="suspended")] == [deck["marked"].pk]
    assert len(rows(learner, held="active")) == 3
    # Relearning was due in minutes (overdue by now); the reviewed card in five days.
    assert [r["pk"] for r in rows(learner, due="overdue")] == [deck["lapsed"].pk]
    assert [r["pk"] for r in rows(learner, due="today")] == [deck["lapsed"].pk]
    assert {r["pk"] for r in rows(learner, due="week")} == {deck["lapsed"].pk, deck["seen"].pk}


def test_a_buried_prompt_is_buried_until_its_time(learner, deck):
    marks_change(
        user=learner, prompt_ids=[deck["new"].pk], buried_until=NOW + dt.timedelta(hours=1)
    )
    assert [r["pk"] for r in rows(learner, held="buried")] == [deck["new"].pk]
    later = NOW + dt.timedelta(hours=2)
    assert rows(learner, now=later, held="buried") == []


def test_due_filters_read_up_to_the_learners_midnights():
    assert due_before("overdue", NOW, "UTC") == dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    assert due_before("today", NOW, "UTC") == dt.datetime(2026, 3, 3, tzinfo=dt.UTC)
    assert due_before("week", NOW, "UTC") == dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
    tokyo = due_before("today", NOW, "Asia/Tokyo")  # 21:00 there: tomorrow starts in 3 hours
    assert tokyo == dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("lesson", ["new", "seen", "lapsed", "marked"]),
        ("-lesson", ["marked", "lapsed", "seen", "new"]),
        ("state", ["new", "marked", "seen", "lapsed"]),
        # New prompts have no due date, stability or recall: last either way.
        ("due", ["lapsed", "seen", "new", "marked"]),
        ("-due", ["seen", "lapsed", "new", "marked"]),
        ("-stability", ["seen", "lapsed", "new", "marked"]),
        ("recall", ["lapsed", "seen", "new", "marked"]),
        ("-lapses", ["lapsed", "new", "seen", "marked"]),
        ("-reviews", ["lapsed", "seen", "new", "marked"]),
        ("-flag", ["marked", "new", "seen", "lapsed"]),
        ("-held", ["marked", "new", "seen", "lapsed"]),
        ("card", ["lapsed", "marked", "seen", "new"]),
    ],
)
def test_each_column_sorts_both_ways_ties_in_lesson_order(learner, deck, sort, expected):
    filters = CardFilters.parse(QueryDict(f"sort={sort}"))
    found = card_rows(learner, filters, now=NOW, time_zone="UTC").values_list("pk", flat=True)
    assert list(found) == [deck[name].pk for name in expected]


def test_parsing_ignores_what_it_does_not_know():
    filters = CardFilters.parse(
        QueryDict("q=%20two%20%20words%20&state=frozen&flag=9&held=x&due=soon&sort=-nothing")
    )
    assert filters == CardFilters(q="two words")
    assert CardFilters.parse(QueryDict("sort=-due")).sort_param == "-due"


def test_a_header_sorts_by_its_column_and_a_second_click_reverses_it():
    headers = {h.key: h for h in sort_headers(CardFilters(sort="due"))}
    assert (headers["due"].param, headers["due"].aria_sort) == ("-due", "ascending")
    assert (headers["lapses"].param, headers["lapses"].aria_sort) == ("lapses", "none")
    reversed_due = {h.key: h for h in sort_headers(CardFilters(sort="due", descending=True))}
    assert (reversed_due["due"].param, reversed_due["due"].aria_sort) == ("due", "descending")


def test_a_page_costs_three_queries_whatever_its_size(learner):
    lesson = make_lesson()
    for _ in range(PAGE_SIZE + 5):
        make_card(lesson=lesson)
    with CaptureQueriesContext(connection) as captured:
        listing = card_list_page(
            learner,
            CardFilters(sort="recall", descending=True),
            page_number="1",
            now=NOW,
            time_zone="UTC",
        )
    assert len(listing.rows) == PAGE_SIZE
    assert len(captured.captured_queries) == 3
    second = card_list_page(learner, CardFilters(), page_number="2", now=NOW, time_zone="UTC")
    assert len(second.rows) == 5
    assert [row["state_label"] for row in second.rows] == ["New"] * 5
    # A page number past the end shows the last page, as Paginator.get_page does.
    assert (
        card_list_page(
            learner, CardFilters(), page_number="99", now=NOW, time_zone="UTC"
        ).page.number
        == 2
    )


def test_a_question_is_found_by_its_stem_and_options_never_by_its_marks_or_whys(learner):
    from tests.flashcards.conftest import make_question

    question = make_question()

    def found(q: str) -> list[int]:
        return [row["pk"] for row in rows(learner, q=q)]

    assert found("dropped 20 minutes") == [question.pk]  # the stem
    assert found("point in time just before") == [question.pk]  # an option
    # The back's marks and whys say which option is right.
    assert found("[x] Restore") == []
    assert found("Point-in-time recovery") == []
    assert found("retention period") == []
