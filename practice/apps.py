from __future__ import annotations

from django.apps import AppConfig


class PracticeConfig(AppConfig):
    """Practice: exam-style tests of a lesson's questions, and every answer given to one."""

    name = "practice"
    verbose_name = "Practice tests"
