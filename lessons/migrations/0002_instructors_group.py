"""Create the "Instructors" group holding exactly the permissions to manage lesson content.

Later apps (trees, flashcards) add their own content permissions to this group in their own
migrations.
"""

from django.db import migrations

from portal.permissions import grant_model_permissions


def create_group(apps, schema_editor):
    grant_model_permissions(apps, group="Instructors", app_label="lessons", models=("topic", "lesson"))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Instructors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lessons", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
