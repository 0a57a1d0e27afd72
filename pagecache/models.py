"""The content version: one row whose token changes on every write to what reading pages show.

Database triggers change it (`pagecache.triggers`), so every kind of write counts: the ORM's
saves, `update()`, `bulk_create`, deletes and raw SQL alike.
"""

from __future__ import annotations

from django.db import models


class ContentVersion(models.Model):
    # Random, not a counter: a rolled-back transaction or a restored backup can never bring
    # an earlier value back, so a page cached under an old token can never be reached again.
    token = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.token
