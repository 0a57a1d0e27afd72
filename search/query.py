"""
What a learner types, made safe for each database's query syntax, and matches made safe for a
page. Pure functions.

Typed text is never passed to the database as query syntax: it is cut into words (letters and
digits), and each word is quoted for FTS5 or for `to_tsquery`. `AND`, `NEAR`, `*`, `(`, `-`,
quotes and column filters are therefore just words or nothing, and cannot be a syntax error.
Every word must match (AND), and the last one also as a prefix (from two letters on), so
results appear while the learner is still typing it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The input's maxlength says the same (templates/search/includes/search_box.html).
MAX_QUERY_LENGTH = 200
# A last word this long or longer also matches as a prefix. One letter would match most of the
# index, which tells a learner nothing and, on SQLite, cost 0.6 s at 8,500 sections (NOTES.md).
MIN_PREFIX_LENGTH = 2
# Letters and digits of any script; the underscore, which \w allows, separates words in both
# FTS5's unicode61 tokenizer and PostgreSQL's parser.
_WORD = re.compile(r"[^\W_]+")

# Private-use characters the databases put around matched words; they are turned into <mark>
# only after the text around them has been escaped. search.text.clean() keeps them out of the
# indexed content.
MARK_START = "\ue000"
MARK_END = "\ue001"
_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Query:
    text: str  # as searched: trimmed, and cut to MAX_QUERY_LENGTH
    terms: tuple[str, ...]
    truncated: bool = False


def parse_query(raw: str) -> Query:
    """The words to search for, each once (its last time, which keeps the last word last).
    NFKC folds compatibility forms (full-width letters, ligatures) into the ones the content
    is written in."""
    text = _SPACE.sub(" ", raw).strip()
    truncated = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH]
    words = _WORD.findall(unicodedata.normalize("NFKC", text).lower())
    terms = tuple(reversed(dict.fromkeys(reversed(words))))
    return Query(text=text, terms=terms, truncated=truncated)


def fts5_expression(terms: tuple[str, ...]) -> str:
    """An FTS5 MATCH expression: every term a quoted string, the last one a prefix too.

    https://www.sqlite.org/fts5.html#fts5_strings: inside double quotes everything is text,
    and a `"` is written twice. Porter stems a prefix term as well, so `"restoring"*` still
    finds "restore".
    """
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    if len(terms[-1]) >= MIN_PREFIX_LENGTH:
        quoted[-1] += "*"
    return " ".join(quoted)


def tsquery_expression(terms: tuple[str, ...]) -> str:
    """A `to_tsquery` expression: each term a quoted lexeme, ANDed, the last with `:*`.

    https://www.postgresql.org/docs/current/textsearch-controls.html#TEXTSEARCH-PARSING-QUERIES
    Terms hold only letters and digits, so the quoting cannot be broken out of; `to_tsquery`
    still stems each term and drops stop words (a query of stop words only matches nothing).
    """
    quoted = ["'" + term.replace("'", "''") + "'" for term in terms]
    if len(terms[-1]) >= MIN_PREFIX_LENGTH:
        quoted[-1] += ":*"
    return " & ".join(quoted)


def marked_html(text: str) -> SafeString:
    """Text with sentinel-marked matches as HTML: escape everything, then add <mark>."""
    marked = _MARKED.sub(r"<mark>\1</mark>", escape(_SPACE.sub(" ", text)))
    return mark_safe(marked.replace(MARK_START, "").replace(MARK_END, "").strip())


def unmarked(text: str) -> str:
    return _SPACE.sub(" ", text.replace(MARK_START, "").replace(MARK_END, "")).strip()
