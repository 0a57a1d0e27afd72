"""How a signed-in request finds its user: Django's ModelBackend, with the row read cheaply.

The same rules as ModelBackend (log-in, permissions, inactive users refused); only `get_user`,
run on every signed-in request, changes: it takes the row the session engine read with the
session (`portal.sessions.user_read_with_session`, one query for both), else reads it through
`portal.rows.RowReader` instead of a query built afresh each time. Sessions name the backend
that logged them in; migration accounts/0003 renamed ModelBackend to this one in existing
sessions, so nobody was signed out.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import router

from portal.rows import RowReader
from portal.sessions import user_read_with_session

_USERS = RowReader(get_user_model(), get_user_model()._meta.pk.name)


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        # Read with the session in the same query (portal/sessions.py), else read now.
        user = user_read_with_session(user_id) or _USERS.get(
            user_id, using=router.db_for_read(model)
        )
        return user if user is not None and self.user_can_authenticate(user) else None
