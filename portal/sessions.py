"""The site's session engine: Django's database sessions, with the row read cheaply.

Sessions stay in the database, so logging out (which deletes the row) ends a session at once on
every worker and every host; signed-cookie and cached sessions were ruled out for that reason
(docs/NOTES.md, issue 20). Only the read of the row changes: `portal.rows.RowReader` instead of
a query built afresh per request. Everything else (saving, expiry, cycling the key) is Django's.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.db import router
from django.utils import timezone

from portal.rows import RowReader

_SESSIONS = RowReader(Session, "session_key")


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        try:
            session = _SESSIONS.get(self.session_key, using=router.db_for_read(Session))
        except SuspiciousOperation as error:
            logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            session = None
        # Django's own read asks the database for expire_date > now; the same test, here.
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session
