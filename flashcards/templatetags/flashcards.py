from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    return f"{round((value or 0) * 100)}%"


@register.filter
def percent_step(value: float | None) -> int:
    """The fill rounded to 5% steps: a class name per step, since the CSP forbids inline styles."""
    return int(round((value or 0) * 20) * 5)
