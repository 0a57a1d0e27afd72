"""Give the Instructors group the permissions to decide on suggested cards."""

from django.db import migrations

from portal.permissions import grant_model_permissions, revoke_app_permissions


def grant(apps, schema_editor):
    grant_model_permissions(apps, group="Instructors", app_label="notes", models=("suggestion",))


def revoke(apps, schema_editor):
    revoke_app_permissions(apps, group="Instructors", app_label="notes")


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0001_initial"),
        ("lessons", "0002_instructors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
