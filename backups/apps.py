from __future__ import annotations

from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """Backups: the whole database (backup, restore) and one learner's progress (export,
    import)."""

    name = "backups"
    verbose_name = "Backups"
