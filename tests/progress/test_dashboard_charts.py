"""The heatmap's day squares, drawn by the dashboard_charts template tag."""

from __future__ import annotations

import datetime as dt
import re

from django.template import Context, Template

from progress.charts import bar_chart, heatmap

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


def test_the_squares_are_drawn_exactly_as_before():
    """The markup, byte for byte, for a fixed week: the tag is plain string building, so a
    stray quote or a changed name would show here (and in every learner's page)."""
    assert drawn({dt.date(2026, 3, 2): 1, dt.date(2026, 3, 3): 4, LAST: 12}).startswith(
        '<rect class="heat heat--0" x="28" y="92" width="11" height="11" rx="2">'
        "<title>Sun 1 Mar 2026: 0 reviews</title></rect>"
        '<rect class="heat heat--1" x="41" y="14" width="11" height="11" rx="2">'
        "<title>Mon 2 Mar 2026: 1 review</title></rect>"
        '<rect class="heat heat--2" x="41" y="27" width="11" height="11" rx="2">'
        "<title>Tue 3 Mar 2026: 4 reviews</title></rect>"
    )
    assert drawn({LAST: 12}).endswith(
        '<rect class="heat heat--4" x="54" y="27" width="11" height="11" rx="2">'
        "<title>Tue 10 Mar 2026: 12 reviews</title></rect>"
    )


def test_the_names_are_those_strftime_gives_for_every_weekday_and_month():
    from progress.templatetags.dashboard_charts import tooltip

    for offset in range(366):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=offset)
        assert tooltip(day, 2) == f"{day:%a} {day.day} {day:%b %Y}: 2 reviews"


def forecast(points: list[tuple[dt.date, int]], tags: str) -> str:
    return Template("{% load dashboard_charts %}" + tags).render(
        Context({"chart": bar_chart(points)})
    )


# Three values whose bars have fractional geometry (a top of 100: 1.2 units a card).
POINTS = [(dt.date(2026, 3, 1), 3), (dt.date(2026, 3, 2), 0), (dt.date(2026, 3, 3), 41)]


def test_the_forecast_bars_and_rows_are_drawn_exactly_as_before():
    """The markup, byte for byte: the tags are plain string building, so a stray quote, a
    float printed another way or a changed name would show here."""
    assert forecast(POINTS, "{% forecast_bars chart %}") == (
        '<rect class="chart__bar" x="39.0" y="124.4" width="14" height="3.6">'
        "<title>Sun 1 Mar: 3 due</title></rect>"
        '<rect class="chart__bar" x="59.0" y="128.0" width="14" height="0.0">'
        "<title>Mon 2 Mar: 0 due</title></rect>"
        '<rect class="chart__bar" x="79.0" y="78.8" width="14" height="49.2">'
        "<title>Tue 3 Mar: 41 due</title></rect>"
    )
    assert forecast(POINTS, "{% forecast_rows chart %}") == (
        '<tr><th scope="row">Sun 1 Mar</th><td>3</td></tr>'
        '<tr><th scope="row">Mon 2 Mar</th><td>0</td></tr>'
        '<tr><th scope="row">Tue 3 Mar</th><td>41</td></tr>'
    )


def test_the_forecast_tags_draw_what_the_template_loops_they_replaced_drew():
    """Against the template loops, date filter and all, over a year of days, with values
    whose bars' floats print with long tails (59.599999999999994)."""
    first = dt.date(2026, 1, 1)
    for start in range(0, 366, 30):
        points = [
            (first + dt.timedelta(days=start + index), 1 + (start + index * 7) % 99)
            for index in range(30)
        ]
        assert forecast(points, "{% forecast_bars chart %}") == forecast(
            points,
            '{% for bar in chart.bars %}<rect class="chart__bar" x="{{ bar.x }}"'
            ' y="{{ bar.y }}" width="{{ chart.bar_width }}" height="{{ bar.height }}">'
            '<title>{{ bar.day|date:"D j M" }}: {{ bar.value }} due</title></rect>{% endfor %}',
        )
        assert forecast(points, "{% forecast_rows chart %}") == forecast(
            points,
            '{% for bar in chart.bars %}<tr><th scope="row">{{ bar.day|date:"D j M" }}</th>'
            "<td>{{ bar.value }}</td></tr>{% endfor %}",
        )
