from __future__ import annotations

from django.apps import AppConfig


class FlashcardsConfig(AppConfig):
    """Flashcards: cards from lessons, each learner's FSRS schedule, study sessions."""

    name = "flashcards"
    verbose_name = "Flashcards"
