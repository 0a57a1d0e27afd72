"""Index the content that exists already, so an upgraded site can search at once."""

from django.db import migrations


def fill(apps, schema_editor):
    # Historical models, so this runs against the tables as they are at this point; the row
    # building is shared with `manage.py rebuild_search_index` (the index is derived data, so
    # building it with today's rules is what a rebuild would do anyway).
    from search.services import index_fill

    index_fill(
        entry_model=apps.get_model("search", "Entry"),
        lesson_model=apps.get_model("lessons", "Lesson"),
        card_model=apps.get_model("flashcards", "Card"),
        tree_model=apps.get_model("trees", "Tree"),
    )


def empty(apps, schema_editor):
    apps.get_model("search", "Entry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(fill, empty)]
