"""Sessions move to accounts.Session, Django's session table with the signed-in user beside it.

Every unexpired session is copied, with its user read from its data, so nobody is signed out
on upgrade; the old table (django.contrib.sessions, kept installed for its migrations) is then
emptied, so that no copy of a session outlives logging out. Sessions that cannot be decoded
(another SECRET_KEY, damaged) are copied without a user: Django treats them as signed out.
Batched, so a large table is never read whole into memory. Reversed, the rows are copied back.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BATCH = 1000


def _copy(source, target, alias, user_of):
    last = ""
    while True:
        batch = list(
            source.objects.using(alias).filter(session_key__gt=last).order_by("session_key")[
                :BATCH
            ]
        )
        if not batch:
            break
        target.objects.using(alias).bulk_create(
            [
                target(
                    session_key=row.session_key,
                    session_data=row.session_data,
                    expire_date=row.expire_date,
                    **user_of(row),
                )
                for row in batch
            ]
        )
        last = batch[-1].session_key
    source.objects.using(alias).all().delete()


def to_accounts(apps, schema_editor):
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    Old = apps.get_model("sessions", "Session")
    New = apps.get_model("accounts", "Session")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    alias = schema_editor.connection.alias
    Old.objects.using(alias).filter(expire_date__lte=timezone.now()).delete()
    store = SessionStore()

    def user_of(row):
        value = store.decode(row.session_data).get(SESSION_KEY)  # {} when it cannot be decoded
        try:
            return {"user_id": User._meta.pk.to_python(value) if value is not None else None}
        except Exception:  # not an id of this user model: signed out
            return {"user_id": None}

    _copy(Old, New, alias, user_of)


def to_sessions(apps, schema_editor):
    _copy(
        apps.get_model("accounts", "Session"),
        apps.get_model("sessions", "Session"),
        schema_editor.connection.alias,
        lambda row: {},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_sessions_name_the_user_backend"),
        ("sessions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40,
                        primary_key=True,
                        serialize=False,
                        verbose_name="session key",
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                (
                    "expire_date",
                    models.DateTimeField(db_index=True, verbose_name="expire date"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "abstract": False,
            },
        ),
        migrations.RunPython(to_accounts, to_sessions),
    ]
