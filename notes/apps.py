from __future__ import annotations

from django.apps import AppConfig


class NotesConfig(AppConfig):
    """Study notes in Markdown: parsing them and importing them into lessons and trees."""

    name = "notes"
    verbose_name = "Notes"
