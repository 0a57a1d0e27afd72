from django.db import migrations, models


def install(apps, schema_editor):
    from pagecache.triggers import content_tables, triggers_install

    triggers_install(schema_editor.connection, content_tables(apps))


def uninstall(apps, schema_editor):
    from pagecache.triggers import content_tables, triggers_uninstall

    triggers_uninstall(schema_editor.connection, content_tables(apps))


class Migration(migrations.Migration):
    initial = True

    # The content tables must exist for their triggers; later migrations of these apps are
    # covered by the post_migrate handler (pagecache/apps.py).
    dependencies = [
        ("lessons", "0003_topic_owner"),
        ("trees", "0007_answers_taken_back_by_whom"),
        ("flashcards", "0014_review_anki_id_for_anki_reviews"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=64)),
            ],
        ),
        migrations.RunPython(install, uninstall),
    ]
