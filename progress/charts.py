"""Chart geometry for server-rendered SVG (the dashboard, the analytics). Pure functions.

The templates draw what these return: positions and sizes in SVG user units, a shade level
per cell (CSS gives each level its colour in both colour schemes), and the labels.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import NamedTuple

CELL = 11  # a heatmap day, in SVG units, with GAP between days
GAP = 2
LEFT = 28  # room for the weekday labels
TOP = 14  # room for the month labels
LEVELS = 4  # shades for days with reviews; 0 is a day without


class HeatCell(NamedTuple):
    """A day's square. A tuple rather than a frozen dataclass: a year of them built through
    a frozen dataclass's __init__ (object.__setattr__ per field) cost the dashboard 1.7 ms
    under the profiler; a NamedTuple is as read-only and several times quicker to make."""

    day: dt.date
    reviews: int
    level: int
    x: int
    y: int


@dataclass(frozen=True)
class AxisLabel:
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class Heatmap:
    cells: list[HeatCell]
    months: list[AxisLabel]
    weekdays: list[AxisLabel]
    width: int
    height: int
    cell: int = CELL


def shade(reviews: int, busiest: int) -> int:
    """0 for no reviews; otherwise 1 to LEVELS by the share of the busiest day."""
    if reviews <= 0 or busiest <= 0:
        return 0
    return max(1, min(LEVELS, math.ceil(LEVELS * reviews / busiest)))


def heatmap(per_day: dict[dt.date, int], first: dt.date, last: dt.date) -> Heatmap:
    """One column per week (Monday at the top), from the week of `first` to `last`."""
    busiest = max(per_day.values(), default=0)
    origin = first - dt.timedelta(days=first.weekday())
    cells, months = [], []
    day = first
    while day <= last:
        column = (day - origin).days // 7
        x = LEFT + column * (CELL + GAP)
        reviews = per_day.get(day, 0)
        cells.append(
            HeatCell(day, reviews, shade(reviews, busiest), x, TOP + day.weekday() * (CELL + GAP))
        )
        # A month's name over its first column; the first month's only if enough of it shows.
        if day.day == 1 or (day == first and first.day <= 14):
            months.append(AxisLabel(day.strftime("%b"), x, TOP - 4))
        day += dt.timedelta(days=1)
    columns = (last - origin).days // 7 + 1
    weekdays = [
        AxisLabel(name, 0, TOP + row * (CELL + GAP) + CELL - 2)
        for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"))
    ]
    return Heatmap(
        cells=cells,
        months=months,
        weekdays=weekdays,
        width=LEFT + columns * (CELL + GAP),
        height=TOP + 7 * (CELL + GAP),
    )


@dataclass(frozen=True)
class Bar:
    day: dt.date
    value: int
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    labels: list[AxisLabel]  # dates under some bars
    scale: list[AxisLabel]  # values on the left
    gridlines: list[float]
    width: int
    height: int
    bar_width: float
    plot_left: int
    plot_bottom: int


def bar_chart(points: list[tuple[dt.date, int]], *, label_every: int = 7) -> BarChart:
    """A bar per point, scaled to a round maximum, with a date under every `label_every`th."""
    plot_left, plot_top, plot_height, step, bar_width = 36, 8, 120, 20, 14
    top_value = nice_ceiling(max((value for _day, value in points), default=0))
    bars, labels = [], []
    for index, (day, value) in enumerate(points):
        height = plot_height * value / top_value
        x = plot_left + index * step + (step - bar_width) / 2
        bars.append(Bar(day, value, x, plot_top + plot_height - height, height))
        if index % label_every == 0:
            labels.append(
                AxisLabel(f"{day:%b} {day.day}", x + bar_width / 2, plot_top + plot_height + 16)
            )
    scale, gridlines = [], []
    for fraction in (0, 0.5, 1):
        y = plot_top + plot_height * (1 - fraction)
        gridlines.append(y)
        scale.append(AxisLabel(f"{round(top_value * fraction)}", plot_left - 6, y + 4))
    return BarChart(
        bars=bars,
        labels=labels,
        scale=scale,
        gridlines=gridlines,
        width=plot_left + len(points) * step + 4,
        height=plot_top + plot_height + 24,
        bar_width=bar_width,
        plot_left=plot_left,
        plot_bottom=plot_top + plot_height,
    )


def daily(per_day: dict[dt.date, int], first: dt.date, days: int) -> list[tuple[dt.date, int]]:
    """Every day from `first` for `days` days, with its count (0 when absent)."""
    return [
        (first + dt.timedelta(days=index), per_day.get(first + dt.timedelta(days=index), 0))
        for index in range(days)
    ]


def nice_ceiling(value: int) -> int:
    """The smallest of 2, 4, 10, 20, 40, 100, ... at or above `value`: an even axis top."""
    top = 2
    while top < value:
        top = top * 5 // 2 if str(top).startswith("4") else top * 2
    return top


def streak(per_day: dict[dt.date, int], today: dt.date) -> int:
    """Days in a row with reviews, up to today; a day not yet studied today does not break it."""
    day = today if per_day.get(today) else today - dt.timedelta(days=1)
    count = 0
    while per_day.get(day):
        count += 1
        day -= dt.timedelta(days=1)
    return count


@dataclass(frozen=True)
class ScoreBar:
    day: dt.date
    share: float  # 0 to 1
    x: int
    y: float
    height: float


@dataclass(frozen=True)
class ScoreTrend:
    """A row of small bars, one per practice test, each as tall as its score: a trend read at
    a glance in a table cell, beside the dated percentages that say the same in words."""

    bars: list[ScoreBar]
    width: int
    height: int
    bar_width: int
    baseline: int


TREND_HEIGHT = 24  # a 100% score's bar, in SVG units
TREND_BAR = 8
TREND_STEP = 11


def score_trend(points: list[tuple[dt.date, float]]) -> ScoreTrend:
    """One bar per (day, share) point, oldest on the left; a 0% score keeps a 1-unit stub so
    its bar is still seen to be there."""
    bars = []
    for index, (day, share) in enumerate(points):
        height = max(1.0, TREND_HEIGHT * share)
        bars.append(ScoreBar(day, share, index * TREND_STEP, TREND_HEIGHT - height, height))
    return ScoreTrend(
        bars=bars,
        width=max(TREND_STEP, len(points) * TREND_STEP - (TREND_STEP - TREND_BAR)),
        height=TREND_HEIGHT,
        bar_width=TREND_BAR,
        baseline=TREND_HEIGHT,
    )
