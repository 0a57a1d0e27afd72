"""The heatmap's day squares, drawn by the dashboard_charts template tag."""

from __future__ import annotations

import datetime as dt
import re

from django.template import Context, Template

from progress.charts import heatmap

FIRST, LAST = dt.date(2026, 3, 1), dt.date(2026, 3, 10)


def drawn(per_day: dict[dt.date, int]) -> str:
    template = Template("{% load dashboard_charts %}{% heatmap_cells chart %}")
    return template.render(Context({"chart": heatmap(per_day, FIRST, LAST)}))


def test_every_day_is_a_square_placed_and_shaded_as_the_geometry_says():
    chart = heatmap({dt.date(2026, 3, 2): 1, dt.date(2026, 3, 3): 4}, FIRST, LAST)
    squares = re.findall(
        r'<rect class="heat heat--(\d)" x="(\d+)" y="(\d+)" width="11" height="11" rx="2">',
        drawn({dt.date(2026, 3, 2): 1, dt.date(2026, 3, 3): 4}),
    )
    assert [tuple(map(int, square)) for square in squares] == [
        (cell.level, cell.x, cell.y) for cell in chart.cells
    ]
    assert len(squares) == 10


def test_each_square_says_its_day_and_reviews_in_words():
    titles = re.findall(r"<title>([^<]*)</title>", drawn({dt.date(2026, 3, 2): 1, FIRST: 7}))
    assert titles[:3] == [
        "Sun 1 Mar 2026: 7 reviews",
        "Mon 2 Mar 2026: 1 review",
        "Tue 3 Mar 2026: 0 reviews",
    ]
