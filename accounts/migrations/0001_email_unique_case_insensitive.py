"""One account per email address, whatever its case, enforced by the database.

auth.User belongs to Django, so the constraint cannot sit in its Meta: this migration adds a
unique index on LOWER(email) for non-empty addresses (accounts made before sign-up asked for
an email have none, and many may share the empty string). The SQL is the same on SQLite and
PostgreSQL, both of which support partial indexes on expressions.

Existing duplicates: the oldest account (lowest id) keeps the address; every later account
with the same address, whatever its case, has its email emptied, and its account page then
asks for one (a notice, never a block). Each account changed is printed, so the operator can
tell its owner.
"""

from __future__ import annotations

from django.db import migrations
from django.db.models.functions import Lower

INDEX = "accounts_user_email_lower_unique"


def empty_later_duplicates(apps, schema_editor) -> None:
    User = apps.get_model("auth", "User")
    kept: set[str] = set()
    for pk, username, email in (
        User.objects.exclude(email="")
        .annotate(lower=Lower("email"))
        .order_by("pk")
        .values_list("pk", "username", "lower")
    ):
        if email in kept:
            User.objects.filter(pk=pk).update(email="")
            print(f"\n  Emptied the email of {username!r}: an older account has {email!r}.")
        else:
            kept.add(email)


def create_index(apps, schema_editor) -> None:
    quote = schema_editor.quote_name
    table = quote(apps.get_model("auth", "User")._meta.db_table)
    schema_editor.execute(
        f"CREATE UNIQUE INDEX {quote(INDEX)} ON {table} (LOWER({quote('email')})) "
        f"WHERE {quote('email')} <> ''"
    )


def drop_index(apps, schema_editor) -> None:
    schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(INDEX)}")


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(empty_later_duplicates, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
