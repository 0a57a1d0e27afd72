from __future__ import annotations

from django.apps import AppConfig


class DecksConfig(AppConfig):
    """Anki decks: the portal's cards as an Anki package, and (later) Anki's back in."""

    name = "decks"
    verbose_name = "Anki decks"
