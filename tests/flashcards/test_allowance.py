"""The new-card allowance rule: overall limit, a scope's own limit, today's extra cards."""

from __future__ import annotations

import datetime as dt

from flashcards.allowance import ScopeNewCards, new_cards_left

TODAY = dt.date(2026, 3, 2)


def test_without_a_scope_limit_only_the_overall_limit_counts():
    assert new_cards_left(overall_limit=20, started_today=5) == 15
    assert new_cards_left(overall_limit=20, started_today=25) == 0


def test_a_scope_limit_counts_the_cards_started_in_it_and_the_smaller_allowance_holds():
    left = new_cards_left(overall_limit=20, started_today=4, scope_limit=5, started_in_scope=3)
    assert left == 2
    # Elsewhere the learner used up most of the overall limit: that holds here too.
    left = new_cards_left(overall_limit=20, started_today=19, scope_limit=5, started_in_scope=0)
    assert left == 1


def test_extra_cards_raise_both_allowances():
    assert new_cards_left(overall_limit=20, started_today=20, extra=5) == 5
    left = new_cards_left(
        overall_limit=20, started_today=20, scope_limit=5, started_in_scope=5, extra=5
    )
    assert left == 5


def test_a_scope_limit_of_zero_holds_back_new_cards_there():
    assert new_cards_left(overall_limit=20, started_today=0, scope_limit=0) == 0


def test_extra_cards_count_only_on_their_day():
    own = ScopeNewCards(extra=5, extra_day=TODAY)
    assert own.extra_on(TODAY) == 5
    assert own.extra_on(TODAY + dt.timedelta(days=1)) == 0


def test_scope_new_cards_round_trip_through_json_and_drop_what_is_empty():
    own = ScopeNewCards(limit=7, extra=3, extra_day=TODAY)
    assert ScopeNewCards.from_json(own.to_json()) == own
    assert ScopeNewCards().to_json() == {}
    assert ScopeNewCards.from_json(None) == ScopeNewCards()
