from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class ResetRequest(models.Model):
    """One password-reset request that was let through, counted against its email address and
    its client address (accounts/reset.py). Kept in the database, not a per-process cache, so
    every worker on every host counts the same requests.

    Neither is stored as given: `key` is a keyed hash (HMAC with SECRET_KEY) of "email:..." or
    "ip:...", enough to count by and useless to anyone reading the table."""

    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.key[:8]}… at {self.at:%Y-%m-%d %H:%M}"


class Session(AbstractBaseSession):
    """A visitor's or learner's session (the site's session engine, portal/sessions.py):
    Django's database session, with the user it is signed in as in a column of its own.

    With the user beside the data, a signed-in request reads its session and its user in one
    query (a join) instead of two, and an account's sessions are found by an index instead of
    by decoding every live session. The column follows the data: the engine sets it on every
    save from the session's signed-in user id, and it is empty for a visitor.

    No constraint in the database: a session saved just as its user is deleted must not fail
    the request; the ORM still deletes a user's sessions with the user (CASCADE), and a
    session naming a user who no longer exists is signed out, as Django's own would be.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
    )

    @classmethod
    def get_session_store_class(cls):
        from portal.sessions import SessionStore

        return SessionStore
