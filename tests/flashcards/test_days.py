"""A learner's days start at midnight in their own time zone."""

from __future__ import annotations

import datetime as dt

from flashcards.days import (
    day_start,
    known_time_zone_or_utc,
    learner_zone,
    local_date,
    midnight,
    next_midnight,
)

# 10:30 UTC on 2 March is 23:30 that day in Auckland (UTC+13) and 05:30 in New York (UTC-5).
MOMENT = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)


def test_day_start_follows_the_zone():
    assert day_start(MOMENT, "Pacific/Auckland").isoformat() == "2026-03-02T00:00:00+13:00"
    assert day_start(MOMENT, "America/New_York").isoformat() == "2026-03-02T00:00:00-05:00"
    assert day_start(MOMENT, "Not/AZone").isoformat() == "2026-03-02T00:00:00+00:00"


def test_an_unknown_or_malformed_zone_name_is_utc():
    assert learner_zone("Not/AZone") is dt.UTC
    assert learner_zone("../etc/passwd") is dt.UTC
    assert learner_zone("Europe/Paris").utcoffset(MOMENT.replace(tzinfo=None)) == dt.timedelta(
        hours=1
    )


def test_the_local_date_is_the_day_on_the_learners_clock():
    late = MOMENT + dt.timedelta(minutes=40)  # 00:10 on 3 March in Auckland
    assert local_date(late, "Pacific/Auckland") == dt.date(2026, 3, 3)
    assert local_date(late, "UTC") == dt.date(2026, 3, 2)
    assert local_date(MOMENT, "America/New_York") == dt.date(2026, 3, 2)


def test_midnight_is_when_a_day_begins_for_the_learner():
    start = midnight(dt.date(2026, 3, 2), "Pacific/Auckland")
    assert start == dt.datetime(2026, 3, 1, 11, 0, tzinfo=dt.UTC)
    assert midnight(dt.date(2026, 3, 2), "Not/AZone") == dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def test_known_time_zone_or_utc():
    assert known_time_zone_or_utc("Europe/Paris") == "Europe/Paris"
    assert known_time_zone_or_utc("Europe/Nowhere") == "UTC"
    assert known_time_zone_or_utc("") == "UTC"


def test_the_next_midnight_is_the_learners_in_their_zone():
    """When a buried card comes back, and the end of the day reviews are due by."""
    late_evening = dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.UTC)
    assert next_midnight(late_evening, "UTC") == dt.datetime(2026, 3, 3, tzinfo=dt.UTC)
    # 22:30 UTC is already 07:30 on 3 March in Tokyo: the next midnight is the 4th's there.
    assert next_midnight(late_evening, "Asia/Tokyo").isoformat() == "2026-03-04T00:00:00+09:00"
