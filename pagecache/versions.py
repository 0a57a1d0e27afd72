"""The versions a cached page is keyed by: the content's (from the database) and the code's."""

from __future__ import annotations

import functools
import hashlib
import os
from contextvars import ContextVar
from importlib.metadata import version as package_version
from pathlib import Path

import django
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connection

from pagecache.triggers import VERSION_TABLE, _insert_missing_row

# What a deploy changes that a page's HTML depends on: our code and templates, the static
# files (their URLs), and the packages that write into pages.
SOURCE_SUFFIXES = {".py", ".html", ".css", ".js", ".svg"}
SKIPPED_FOLDERS = {".venv", ".git", "tests", "bench", "content", "docs", "tools", "var"}


def content_version() -> str:
    """The content's current token: one primary-key read, on every page request that uses it.

    Plain SQL: the ORM's building of this one-row query cost more than the read itself."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {VERSION_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    token = row[0] if row else None
    if token is None:
        # Only after a flush or a restore of a database without the row: make a new random
        # one (never an old value), which the triggers change from then on.
        with connection.cursor() as cursor:
            cursor.execute(_insert_missing_row(connection.vendor))
            cursor.execute(f"SELECT token FROM {VERSION_TABLE} WHERE id = 1")
            token = cursor.fetchone()[0]
    return token


# The version as a GET or HEAD request first read it, so a page's ETag and its kept reads
# (pagecache.kept) agree and the row is read once per request. Only for safe methods: a POST
# may write content and then read it back, and must see its own write's version.
_request_version: ContextVar[dict | None] = ContextVar("pagecache_request_version", default=None)


def request_content_version() -> str:
    """`content_version()`, read once per GET or HEAD request; outside one, read each time."""
    memo = _request_version.get()
    if memo is None:
        return content_version()
    if "token" not in memo:
        memo["token"] = content_version()
    return memo["token"]


def _request_started(*, environ=None, **kwargs) -> None:
    safe = (environ or {}).get("REQUEST_METHOD") in ("GET", "HEAD")
    _request_version.set({} if safe else None)


def _request_finished(**kwargs) -> None:
    _request_version.set(None)


request_started.connect(_request_started, dispatch_uid="pagecache_request_started")
request_finished.connect(_request_finished, dispatch_uid="pagecache_request_finished")


@functools.cache
def code_version() -> str:
    """A hash of the deployed code, read once per process.

    The contents of our source, templates and static files (and the versions of Django and
    django-htmx, which write into pages), rather than the server's start time: every worker
    and every host running the same code agrees on it, so a revalidation answered by another
    worker still matches and hosts can share one Redis cache, while a deploy that changes any
    of it changes every ETag and cache key at once. Settings that change pages without a code
    change (DEBUG) are part of it too.
    """
    digest = hashlib.sha256()
    digest.update(f"{django.get_version()} {package_version('django-htmx')}".encode())
    digest.update(f"debug={settings.DEBUG}".encode())
    for path in _source_files(Path(settings.BASE_DIR)):
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
        digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():  # hashed static URLs in production
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def _source_files(base: Path) -> list[Path]:
    skipped = SKIPPED_FOLDERS | {Path(settings.STATIC_ROOT).name}
    found = []
    for folder, subfolders, files in os.walk(base):
        # Pruned in place, so os.walk never descends into the virtualenv or git's objects.
        subfolders[:] = [
            name for name in subfolders if not (folder == str(base) and name in skipped)
        ]
        found += [Path(folder, name) for name in files if Path(name).suffix in SOURCE_SUFFIXES]
    return sorted(found)
