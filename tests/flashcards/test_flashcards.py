"""The `flashcards` template filters (flashcards/templatetags/flashcards.py)."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from flashcards.templatetags.flashcards import percent, percent_step


@pytest.mark.parametrize(
    ("value", "shown"), [(0.5, "50%"), (0.123, "12%"), (0.996, "100%"), (0, "0%"), (None, "0%")]
)
def test_percent_rounds_a_share_to_whole_percent(value, shown):
    assert percent(value) == shown


@pytest.mark.parametrize(
    ("value", "step"), [(None, 0), (0.02, 0), (0.03, 5), (0.5, 50), (0.87, 85), (1.0, 100)]
)
def test_percent_step_rounds_to_five_percent_steps(value, step):
    assert percent_step(value) == step


def test_the_filters_are_loaded_by_name_in_templates():
    template = Template("{% load flashcards %}{{ share|percent }} {{ share|percent_step }}")
    assert template.render(Context({"share": 0.42})) == "42% 40"
