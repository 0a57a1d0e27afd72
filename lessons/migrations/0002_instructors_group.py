"""Create the "Instructors" group holding exactly the permissions to manage lesson content.

Later apps (trees, flashcards) add their own content permissions to this group in their own
migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Instructors"
CONTENT_MODELS = ("topic", "lesson")
ACTIONS = ("add", "change", "delete", "view")


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations have run (post_migrate); create
    # this app's now so that the group can hold them on a fresh database.
    app_config = apps.get_app_config("lessons")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    codenames = [f"{action}_{model}" for model in CONTENT_MODELS for action in ACTIONS]
    permissions = Permission.objects.filter(
        content_type__app_label="lessons", codename__in=codenames
    )
    group.permissions.add(*permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lessons", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
