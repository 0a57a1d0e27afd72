from __future__ import annotations

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
