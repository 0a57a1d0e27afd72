from __future__ import annotations

import datetime as dt

from progress import charts

D = dt.date


def test_shade_scales_to_the_busiest_day():
    assert charts.shade(0, 10) == 0
    assert charts.shade(1, 10) == 1
    assert charts.shade(3, 10) == 2
    assert charts.shade(10, 10) == charts.LEVELS
    assert charts.shade(5, 0) == 0


def test_the_heatmap_puts_each_day_in_its_weekday_row_and_week_column():
    first, last = D(2026, 11, 4), D(2026, 11, 23)  # a Wednesday to a Monday
    heat = charts.heatmap({D(2026, 11, 9): 4, D(2026, 11, 10): 1}, first, last)
    assert len(heat.cells) == 20
    by_day = {cell.day: cell for cell in heat.cells}
    monday, tuesday = by_day[D(2026, 11, 9)], by_day[D(2026, 11, 10)]
    assert monday.x == tuesday.x  # the same week
    assert tuesday.y - monday.y == charts.CELL + charts.GAP
    assert by_day[D(2026, 11, 4)].x < monday.x  # the week before
    assert (monday.level, tuesday.level, by_day[D(2026, 11, 11)].level) == (4, 1, 0)
    assert heat.width == charts.LEFT + 4 * (charts.CELL + charts.GAP)  # four week columns
    assert [label.text for label in heat.months] == ["Nov"]


def test_a_bar_chart_scales_to_a_round_top_and_labels_every_week():
    points = charts.daily({D(2026, 1, 2): 7}, D(2026, 1, 1), 30)
    chart = charts.bar_chart(points)
    assert len(chart.bars) == 30
    assert [label.text for label in chart.scale] == ["0", "5", "10"]
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.day == D(2026, 1, 2)
    assert tallest.height == 120 * 7 / 10
    assert [label.text for label in chart.labels] == [
        "Jan 1",
        "Jan 8",
        "Jan 15",
        "Jan 22",
        "Jan 29",
    ]
    assert chart.bars[0].height == 0


def test_nice_ceiling():
    assert [charts.nice_ceiling(v) for v in (0, 2, 3, 5, 11, 41, 101)] == [
        2,
        2,
        4,
        10,
        20,
        100,
        200,
    ]


def test_the_streak_counts_back_from_today_or_yesterday():
    today = D(2026, 3, 10)
    days = {D(2026, 3, 7): 2, D(2026, 3, 8): 1, D(2026, 3, 9): 5}
    assert charts.streak(days, today) == 3  # today not studied yet: the streak is still alive
    assert charts.streak({**days, today: 1}, today) == 4
    assert charts.streak({D(2026, 3, 8): 1}, today) == 0
    assert charts.streak({}, today) == 0


def test_a_score_trend_draws_one_bar_per_test_as_tall_as_its_score():
    trend = charts.score_trend([(D(2026, 11, 2), 0.5), (D(2026, 11, 5), 1.0), (D(2026, 11, 9), 0)])
    assert [bar.x for bar in trend.bars] == [0, charts.TREND_STEP, 2 * charts.TREND_STEP]
    assert [bar.height for bar in trend.bars] == [charts.TREND_HEIGHT / 2, charts.TREND_HEIGHT, 1]
    # Each bar stands on the baseline.
    assert all(bar.y + bar.height == trend.baseline for bar in trend.bars)
    assert trend.width == 2 * charts.TREND_STEP + charts.TREND_BAR
