"""Give the Instructors group (made by lessons.0002) the permissions to manage trees."""

from django.db import migrations

from portal.permissions import grant_model_permissions, revoke_app_permissions


def grant(apps, schema_editor):
    grant_model_permissions(apps, group="Instructors", app_label="trees", models=("tree",))


def revoke(apps, schema_editor):
    revoke_app_permissions(apps, group="Instructors", app_label="trees")


class Migration(migrations.Migration):
    dependencies = [
        ("trees", "0001_initial"),
        ("lessons", "0002_instructors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
