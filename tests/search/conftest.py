"""Fixtures for the search tests: the bundled notes, imported as `make run` does."""

from __future__ import annotations

from search.selectors import search


def found(query: str) -> list[tuple[str, str]]:
    """(kind, url) of each result, best first."""
    return [(result.kind, result.url) for result in search(query).results]


def titles(query: str) -> list[str]:
    return [result.title for result in search(query).results]
