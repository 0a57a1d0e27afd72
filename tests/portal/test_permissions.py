"""Content permissions handed to a group from a data migration, on a database where Django has
not created the permissions yet."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db.migrations.loader import MigrationLoader

from portal.permissions import grant_model_permissions, revoke_app_permissions

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def historical_apps():
    """The app registry a migration is given (its models as the migrations left them)."""
    return MigrationLoader(None).project_state().apps


def codenames(group: str) -> set[tuple[str, str]]:
    rows = Group.objects.get(name=group).permissions
    return set(rows.values_list("content_type__app_label", "codename"))


def test_a_grant_creates_the_permissions_and_the_group_when_missing(historical_apps):
    Permission.objects.filter(content_type__app_label="lessons").delete()
    grant_model_permissions(
        historical_apps, group="Editors", app_label="lessons", models=("topic",)
    )
    assert codenames("Editors") == {
        ("lessons", "add_topic"),
        ("lessons", "change_topic"),
        ("lessons", "delete_topic"),
        ("lessons", "view_topic"),
    }
    assert historical_apps.get_app_config("lessons").models_module is None  # left as it was


def test_a_revoke_takes_away_only_that_apps_permissions(historical_apps):
    for label, model in (("lessons", "topic"), ("trees", "tree")):
        grant_model_permissions(historical_apps, group="Editors", app_label=label, models=(model,))
    revoke_app_permissions(historical_apps, group="Editors", app_label="trees")
    assert {label for label, _codename in codenames("Editors")} == {"lessons"}
    revoke_app_permissions(historical_apps, group="Nobody", app_label="trees")  # no such group
    assert not Group.objects.filter(name="Nobody").exists()
