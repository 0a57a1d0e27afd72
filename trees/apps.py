from __future__ import annotations

from django.apps import AppConfig


class TreesConfig(AppConfig):
    """Decision trees: authored, validated, embedded in lessons and walked step by step."""

    name = "trees"
    verbose_name = "Decision trees"
