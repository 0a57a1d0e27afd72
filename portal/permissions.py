"""Granting content permissions to a group from a data migration.

Django creates permissions after all migrations have run (post_migrate), so a migration that
wants to hand them to a group on a fresh database has to create them first. Migrations call
this with their own historical `apps`; keep it free of imports from the apps' current models.
"""

from __future__ import annotations

from django.contrib.auth.management import create_permissions

CONTENT_ACTIONS = ("add", "change", "delete", "view")


def grant_model_permissions(apps, *, group: str, app_label: str, models: tuple[str, ...]) -> None:
    """Give `group` (created if needed) every content action on the named models."""
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model in models for action in CONTENT_ACTIONS]
    group_row, _ = Group.objects.get_or_create(name=group)
    group_row.permissions.add(
        *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    )


def revoke_app_permissions(apps, *, group: str, app_label: str) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group_row = Group.objects.filter(name=group).first()
    if group_row:
        group_row.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label))
