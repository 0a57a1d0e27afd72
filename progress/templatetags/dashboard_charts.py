"""Drawing the dashboard's year heatmap: 365 day squares, each with its own tooltip."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.safestring import SafeString, mark_safe

from progress.charts import Heatmap

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
    return (
        f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}:"
        f" {reviews} review{plural}"
    )
