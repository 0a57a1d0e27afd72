"""Sessions logged in through ModelBackend now name accounts.backends.UserBackend.

A session names the backend that logged it in, and Django signs a session out when that
backend is no longer in AUTHENTICATION_BACKENDS. UserBackend replaced ModelBackend there (the
same rules; only the per-request user read is cheaper), so without this every learner would be
signed out once on upgrade. Sessions that cannot be decoded (another SECRET_KEY, damaged) are
left alone: Django treats them as signed out anyway. Batched, so a large table is never read
whole into memory.
"""

from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "accounts.backends.UserBackend"
BATCH = 1000


def rename_backend(apps, schema_editor, old=OLD, new=NEW):
    from django.contrib.auth import BACKEND_SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    last = ""
    while True:
        batch = list(
            Session.objects.using(schema_editor.connection.alias)
            .filter(session_key__gt=last)
            .order_by("session_key")[:BATCH]
        )
        if not batch:
            return
        changed = []
        for session in batch:
            data = store.decode(session.session_data)  # {} when it cannot be decoded
            if data.get(BACKEND_SESSION_KEY) == old:
                data[BACKEND_SESSION_KEY] = new
                session.session_data = store.encode(data)
                changed.append(session)
        Session.objects.using(schema_editor.connection.alias).bulk_update(
            changed, ["session_data"]
        )
        last = batch[-1].session_key


def rename_back(apps, schema_editor):
    rename_backend(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_reset_requests"), ("sessions", "0001_initial")]

    operations = [migrations.RunPython(rename_backend, rename_back)]
