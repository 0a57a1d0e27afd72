"""The site's session engine: Django's database sessions, read with their user in one query.

Sessions stay in the database, so logging out (which deletes the row) ends a session at once on
every worker and every host; signed-cookie and cached sessions were ruled out for that reason
(docs/NOTES.md, issue 20). The rows are `accounts.Session`: Django's, with the signed-in user's
id in a column of its own, set here on every save. Reading a session joins its user, so a
signed-in request reads both in one round trip; the user read with the session is handed to the
authentication backend once (`user_read_with_session`). A new session's key is not looked up
before its row is inserted (the insert is the check). A session saved outside any transaction
(as the middleware saves it, after the view's own have ended) is written by its one INSERT or
UPDATE alone, without Django's transaction around it, the UPDATE compiled once. Everything else
(expiry, cycling the key) is Django's.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import IntegrityError, connections, router
from django.utils import timezone
from django.utils.crypto import get_random_string

from portal.rows import ID_PLACEHOLDER, CompiledQuery, CompiledUpdate, moment_stand_in

# The session row last read in this context (a request's thread, or its task): its user's id
# and the user joined to it (None when the session names no user, or one that is gone).
_read_with_session: ContextVar[tuple[object, object] | None] = ContextVar(
    "read_with_session", default=None
)


def _session_model():
    from accounts.models import Session

    return Session


_SESSIONS = CompiledQuery(
    lambda key: _session_model()._base_manager.select_related("user").filter(session_key=key),
    key="compiled-session-placeholder",
)

# A session's row rewritten on every request that changes it (a grade's undo record, a study
# session's figures): the UPDATE compiled once (bench/history.md, issue 20).
_SESSION_SAVED = CompiledUpdate(
    lambda key, data, expire_date, user_id: (
        _session_model()._base_manager.filter(session_key=key),
        {"session_data": data, "expire_date": expire_date, "user_id": user_id},
    ),
    key="compiled-session-placeholder",
    data="compiled-session-data-placeholder",
    expire_date=moment_stand_in(1),
    user_id=ID_PLACEHOLDER,
)


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        return _session_model()

    def _get_new_session_key(self):
        # Django asks the database whether a new random key is taken before inserting it; the
        # insert itself asks that (`save(must_create=True)` fails on a taken key and `create`
        # draws another), so the extra read on every new session is skipped.
        return get_random_string(32, VALID_KEY_CHARS)

    async def _aget_new_session_key(self):
        return self._get_new_session_key()

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _user_id(data)
        return session

    def save(self, must_create=False):
        # Django writes the row inside `transaction.atomic`, so that a failed insert or update
        # can be caught without spoiling an outer transaction. Outside one, a single INSERT or
        # UPDATE commits on its own (autocommit), and the block's BEGIN and COMMIT are two
        # round trips more on every request that changes its session (bench/history.md,
        # issue 20). Inside one, Django's own save, with its savepoint.
        if self.session_key is None:
            return self.create()
        using = router.db_for_write(self.model)
        if connections[using].in_atomic_block:
            return super().save(must_create)
        session = self.create_model_instance(self._get_session(no_load=must_create))
        if not must_create:
            # The ORM's forced update, compiled once: no row changed (the session was ended
            # meanwhile, by logging out in another tab) is refused as Django's save refuses it.
            changed = _SESSION_SAVED.run(
                key=session.session_key,
                data=session.session_data,
                expire_date=session.expire_date,
                user_id=session.user_id,
                using=using,
            )
            if not changed:
                raise UpdateError
            return
        try:
            session.save(force_insert=True, using=using)
        except IntegrityError:
            raise CreateError from None

    def _get_session_from_db(self):
        _read_with_session.set(None)
        try:
            found = _SESSIONS.objects(key=self.session_key, using=router.db_for_read(self.model))
        except SuspiciousOperation as error:
            logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            found = []
        # Django's own read asks the database for expire_date > now; the same test, here.
        if not found or found[0].expire_date <= timezone.now():
            self._session_key = None
            return None
        session = found[0]
        if session.user_id is not None:
            _read_with_session.set((session.user_id, session.user))
        return session


def user_read_with_session(user_id):
    """The user with this id as read with the session just loaded in this context, or None if
    that session did not name this user (the caller then reads the user itself).

    Handed over once: Django's `auth.get_user` reads the session's user id and then asks the
    backend for the user straight away, in the same request, so the row is as fresh as the
    session it came with; a later call reads the user afresh.
    """
    read = _read_with_session.get()
    if read is None or read[0] != user_id:
        return None
    _read_with_session.set(None)
    return read[1]


def _user_id(data: dict):
    value = data.get(SESSION_KEY)
    if value is None:
        return None
    try:
        return get_user_model()._meta.pk.to_python(value)
    except ValidationError:  # not an id of this user model: the session is signed out anyway
        return None
