"""Drawing the dashboard's year heatmap: 365 day squares, each with its own tooltip."""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from progress.charts import Heatmap

register = template.Library()

CELL = (
    '<rect class="heat heat--{}" x="{}" y="{}" width="{}" height="{}" rx="2">'
    "<title>{}</title></rect>"
)


@register.simple_tag
def heatmap_cells(heatmap: Heatmap) -> SafeString:
    """Each day as an SVG square whose title says the day and its reviews ("Mon 2 Mar 2026:
    1 review").

    Built here rather than in a template loop: drawing a year's cells through the template
    engine, a handful of lookups and a date filter per cell, took four fifths of the
    dashboard's time (docs/PERFORMANCE.md, Before and after). format_html_join escapes each
    value as the template would.
    """
    size = heatmap.cell
    return format_html_join(
        "",
        CELL,
        (
            (cell.level, cell.x, cell.y, size, size, tooltip(cell.day, cell.reviews))
            for cell in heatmap.cells
        ),
    )


def tooltip(day, reviews: int) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}: {reviews} review{'' if reviews == 1 else 's'}"
