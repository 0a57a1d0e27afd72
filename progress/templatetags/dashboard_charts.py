"""Drawing the dashboard's charts' repeated parts: the year heatmap's 365 day squares and the
forecast's bars and table rows, each day with its date in words."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.safestring import SafeString, mark_safe

from progress.charts import BarChart, Heatmap

register = template.Library()

# English names as strftime's %a and %b give them in the C locale the site runs in, looked up
# by index: strftime per square was a fifth of the tag's time.
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@register.simple_tag
def heatmap_cells(heatmap: Heatmap) -> SafeString:
    """Each day as an SVG square whose title says the day and its reviews ("Mon 2 Mar 2026:
    1 review").

    Built with plain string formatting rather than a template loop or format_html: a year's
    cells through the template engine took four fifths of the dashboard's time, and escaping
    each of the six values of 365 squares through format_html_join still half the rest
    (bench/history.md). Nothing here needs escaping, so marking the whole safe is honest:
    every value is an int from the chart's geometry or the review counts, and the tooltip is
    made of those ints and the fixed English names above; no text comes from a user.
    """
    size = heatmap.cell
    return mark_safe(
        "".join(
            f'<rect class="heat heat--{cell.level}" x="{cell.x}" y="{cell.y}" width="{size}"'
            f' height="{size}" rx="2"><title>{tooltip(cell.day, cell.reviews)}</title></rect>'
            for cell in heatmap.cells
        )
    )


def tooltip(day: dt.date, reviews: int) -> str:
    plural = "" if reviews == 1 else "s"
    return f"{short_day(day)} {day.year}: {reviews} review{plural}"


@register.simple_tag
def forecast_bars(chart: BarChart) -> SafeString:
    """The forecast's bars, each titled with its day and count ("Mon 2 Mar: 5 due").

    Built as the heatmap's squares are, for the same reason (a template loop with a date
    filter per bar was most of what the dashboard's template still cost) and as honestly:
    every value is a number from the chart's geometry (floats printed as the template printed
    them, by str) or a due count, and the day is made of ints and the fixed English names
    above; nothing comes from a user, so nothing needs escaping.
    """
    width = chart.bar_width
    return mark_safe(
        "".join(
            f'<rect class="chart__bar" x="{bar.x}" y="{bar.y}" width="{width}"'
            f' height="{bar.height}"><title>{short_day(bar.day)}: {bar.value} due</title></rect>'
            for bar in chart.bars
        )
    )


@register.simple_tag
def forecast_rows(chart: BarChart) -> SafeString:
    """The forecast as table rows, a day and its count each: the chart's text alternative.
    Safe for the reasons forecast_bars gives."""
    return mark_safe(
        "".join(
            f'<tr><th scope="row">{short_day(bar.day)}</th><td>{bar.value}</td></tr>'
            for bar in chart.bars
        )
    )


def short_day(day: dt.date) -> str:
    """The day as the date filter's "D j M" gives it in English ("Mon 2 Mar")."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
