"""A learner's days: they start at midnight in the learner's time zone. Pure functions."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo


@functools.cache
def known_time_zones() -> frozenset[str]:
    """Every zone name the tz database knows (read from disk once: it does not change while
    the process runs). The settings form offers these; sign-up accepts only these."""
    return frozenset(zoneinfo.available_timezones())


def known_time_zone_or_utc(name: str) -> str:
    """`name` if it is a zone we know, else "UTC": a browser may report anything."""
    return name if name in known_time_zones() else "UTC"


def learner_zone(time_zone: str) -> dt.tzinfo:
    """The named zone; UTC if the name is unknown (a zone removed from the tz database)."""
    try:
        return zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def day_start(now: dt.datetime, time_zone: str) -> dt.datetime:
    """The latest local midnight at or before `now`, in the learner's time zone."""
    local = now.astimezone(learner_zone(time_zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def local_date(now: dt.datetime, time_zone: str) -> dt.date:
    return now.astimezone(learner_zone(time_zone)).date()


def midnight(day: dt.date, time_zone: str) -> dt.datetime:
    """The moment `day` begins for the learner."""
    return dt.datetime.combine(day, dt.time(), tzinfo=learner_zone(time_zone))


def next_midnight(now: dt.datetime, time_zone: str) -> dt.datetime:
    """The moment the learner's next day begins: the end of their today."""
    return midnight(local_date(now, time_zone) + dt.timedelta(days=1), time_zone)


def utc_offsets(start: dt.datetime, end: dt.datetime, time_zone: str):
    """The zone's UTC offset from `start` to `end`: (since, offset) pairs, oldest first, the
    first since `start`, each holding until the next's `since`. Lets a database give each
    moment its local date by adding one fixed offset per stretch (progress.selectors.LocalDate)
    instead of converting row by row. Assumes at most one change per day, as in every zone.
    """
    return _utc_offsets(start.astimezone(dt.UTC), end.astimezone(dt.UTC), time_zone)


@functools.lru_cache(maxsize=64)  # the same learner's year, request after request
def _utc_offsets(start: dt.datetime, end: dt.datetime, time_zone: str):
    zone = learner_zone(time_zone)

    def offset(moment: dt.datetime) -> dt.timedelta:
        return moment.astimezone(zone).utcoffset()

    changes = [(start, offset(start))]
    moment = start
    while moment < end:
        after = min(moment + dt.timedelta(days=1), end)
        if offset(after) != changes[-1][1]:
            # Bisect to the second the offset changes (changes fall on whole seconds).
            low, high = moment, after
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                low, high = (middle, high) if offset(middle) == changes[-1][1] else (low, middle)
            changes.append((high, offset(high)))
        moment = after
    return tuple(changes)
