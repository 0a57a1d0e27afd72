"""Give the Instructors group the permissions to manage cards."""

from django.db import migrations

from portal.permissions import grant_model_permissions, revoke_app_permissions


def grant(apps, schema_editor):
    grant_model_permissions(apps, group="Instructors", app_label="flashcards", models=("card",))


def revoke(apps, schema_editor):
    revoke_app_permissions(apps, group="Instructors", app_label="flashcards")


class Migration(migrations.Migration):
    dependencies = [
        ("flashcards", "0001_initial"),
        ("lessons", "0002_instructors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
