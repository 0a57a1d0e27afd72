"""Fixtures for the search tests: the bundled notes, imported as `make run` does."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from search.selectors import search

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def bundled(db):
    call_command("import_notes", str(CONTENT), stdout=StringIO())


def found(query: str) -> list[tuple[str, str]]:
    """(kind, url) of each result, best first."""
    return [(result.kind, result.url) for result in search(query).results]


def titles(query: str) -> list[str]:
    return [result.title for result in search(query).results]
