from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project itself, installed as an app so that its templates and commands are found."""

    name = "portal"
    verbose_name = "Portal"
