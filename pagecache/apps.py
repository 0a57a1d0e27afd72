from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PagecacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = "Page cache"

    def ready(self) -> None:
        from pagecache.triggers import triggers_install_after_migrate

        # Once per `migrate` (and per flush), after every app's migrations: a later migration
        # that rebuilds a content table on SQLite (create, copy, drop, rename) drops the
        # triggers with the old table, so they are put back each time.
        post_migrate.connect(
            triggers_install_after_migrate, sender=self, dispatch_uid="pagecache-triggers"
        )
