"""Index question cards again, their stem and options only: rows written before this held each
option's why, which says which option is right (see search.text.card_document)."""

from django.db import migrations


def reindex_questions(apps, schema_editor):
    # The rows are derived data, built by today's rules as 0002 builds them; only question
    # cards' rows change, so only they are rebuilt.
    from search.services import card_row

    entry_model = apps.get_model("search", "Entry")
    card_model = apps.get_model("flashcards", "Card")
    for card in (
        card_model.objects.filter(kind="question")
        .select_related("lesson")
        .only("id", "kind", "front", "back", "section", "lesson_id", "lesson__title")
        .iterator()
    ):
        row = card_row(card, lesson_title=card.lesson.title, model=entry_model)
        values = {
            field.attname: getattr(row, field.attname)
            for field in entry_model._meta.concrete_fields
            if not field.primary_key
        }
        entry_model.objects.update_or_create(card_id=card.pk, defaults=values)


class Migration(migrations.Migration):
    # No dependency on flashcards' question migration: on a database from before it there are
    # no question cards to rebuild, and the fields read here are as old as cards.
    dependencies = [("search", "0002_fill_index")]

    operations = [migrations.RunPython(reindex_questions, migrations.RunPython.noop)]
