"""Searching: one interface over whichever database the portal runs on."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.urls import reverse
from django.utils.safestring import SafeString

from search.backends import Match, backend_for
from search.models import Entry
from search.query import marked_html, parse_query, unmarked

RESULTS_LIMIT = 20


@dataclass(frozen=True)
class SearchResult:
    kind: str  # an Entry.Kind value
    kind_label: str  # "Lesson" for a lesson's opening, else the kind's label
    title: str
    title_html: SafeString  # escaped, matched words in <mark>
    snippet_html: SafeString  # likewise
    url: str
    rank: float  # higher is better; comparable within one search only
    lesson_title: str = ""  # where a section or card belongs


@dataclass(frozen=True)
class SearchPage:
    query: str  # as searched (trimmed, cut to the maximum length)
    truncated: bool = False
    results: list[SearchResult] = field(default_factory=list)
    total: int = 0  # every match, of which `results` are the best


def search(raw_query: str, *, user=None, limit: int = RESULTS_LIMIT) -> SearchPage:
    """The best `limit` lesson sections, cards and trees `user` may see for this query (their
    own private lessons' among them; a visitor's or no user's: public ones only).

    One query to the database (none for a query without words), whatever the content's size.
    """
    query = parse_query(raw_query)
    if not query.terms:
        return SearchPage(query=query.text, truncated=query.truncated)
    user_id = user.pk if user is not None and user.is_authenticated else None
    matches = backend_for(connection.vendor)(query.terms, limit, user_id)
    return SearchPage(
        query=query.text,
        truncated=query.truncated,
        results=[_result(match) for match in matches],
        total=matches[0].total if matches else 0,
    )


def _result(match: Match) -> SearchResult:
    opening = match.kind == Entry.Kind.SECTION and not match.anchor
    return SearchResult(
        kind=match.kind,
        kind_label="Lesson" if opening else Entry.Kind(match.kind).label,
        title=unmarked(match.title),
        title_html=marked_html(match.title),
        snippet_html=marked_html(match.snippet),
        url=_url(match),
        rank=match.score,
        lesson_title=match.lesson_title or "",
    )


def _url(match: Match) -> str:
    if match.kind == Entry.Kind.TREE:
        return reverse("trees:tree", args=[match.tree_slug])
    url = reverse("lessons:lesson", args=[match.lesson_slug])
    return f"{url}#{match.anchor}" if match.anchor else url
