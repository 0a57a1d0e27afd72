"""
The two full-text searches behind search.selectors.search, one per database. Each takes the
query's terms and returns the best rows as `Match`es, with matched words between the
sentinels of search.query, and how many rows matched in all.

Both run one statement: rank and count every visible match, keep the best `limit`, and only
for those build the highlighted title and snippet (the costly part). Visibility is checked
here against the content as it stands (see search.models).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from flashcards.models import Card
from lessons.models import Lesson, Topic
from search.models import Entry
from search.query import MARK_END, MARK_START, fts5_expression, tsquery_expression
from trees.models import Tree

SNIPPET_WORDS = 24


@dataclass(frozen=True)
class Match:
    entry_id: int
    kind: str
    anchor: str
    lesson_slug: str | None
    lesson_title: str | None
    tree_slug: str | None
    title: str  # with sentinels around matched words
    snippet: str  # likewise
    score: float  # higher is better
    total: int  # all visible matches, not just these


# The same joins and conditions on both databases: sections and cards of lessons the searcher
# may read (published, and not in a learner's private topic unless it is the searcher's own:
# `lessons.models.readable_lessons` written out; the owner parameter is NULL for a visitor,
# and `owner_id = NULL` is never true), active cards, trees that have been compiled (a tree
# without a compiled spec has no page) and that learners may see (a draft tree is left out:
# `Tree.objects.public()`, the one rule, is compiled into the statement as a subquery).
_JOINS = """
    LEFT JOIN {lesson} lesson ON lesson.id = e.lesson_id
    LEFT JOIN {topic} topic ON topic.id = lesson.topic_id
    LEFT JOIN {card} card ON card.id = e.card_id
    LEFT JOIN {tree} tree ON tree.id = e.tree_id"""
_VISIBLE = """(e.lesson_id IS NULL OR (lesson.status = %s
                                  AND (topic.owner_id IS NULL OR topic.owner_id = %s)))
      AND (e.card_id IS NULL OR card.is_active = %s)
      AND (e.tree_id IS NULL OR (tree.compiled IS NOT NULL AND e.tree_id IN ({public_trees})))"""


def _statement(template: str, user_id: int | None) -> tuple[str, list]:
    """The statement with the shared joins and conditions, and the tables' names, filled in,
    and the parameters of the conditions (they come first among the statement's); `user_id`
    is the searcher's (None for a visitor), whose private lessons' entries are theirs to find."""
    tables = {
        "entry": Entry._meta.db_table,
        "lesson": Lesson._meta.db_table,
        "topic": Topic._meta.db_table,
        "card": Card._meta.db_table,
        "tree": Tree._meta.db_table,
    }
    public_trees, tree_params = Tree.objects.public().values("id").query.sql_with_params()
    visible = _VISIBLE.format(public_trees=public_trees)
    sql = template.format(joins=_JOINS.format(**tables), visible=visible, **tables)
    return sql, [Lesson.Status.PUBLISHED, user_id, True, *tree_params]


# SQLite: bm25() is lower for better matches; the weights put a match in the title (a heading,
# a card's front, a tree's title) ten times above one in the body, the lesson's title between.
# https://www.sqlite.org/fts5.html#the_bm25_function
# FTS5's functions refuse to run in a query with a window function, so the matches are ranked
# in a materialized CTE first and counted after.
SQLITE_SEARCH = """
WITH matched AS MATERIALIZED (
    SELECT e.id AS id, bm25(search_entry_fts, 10.0, 2.0, 1.0) AS score
    FROM search_entry_fts
    JOIN {entry} e ON e.id = search_entry_fts.rowid{joins}
    WHERE search_entry_fts MATCH %s
      AND {visible}
),
best AS (
    SELECT id, score, COUNT(*) OVER () AS total FROM matched ORDER BY score, id LIMIT %s
)
SELECT e.id, e.kind, e.anchor, lesson.slug, lesson.title, tree.slug,
       highlight(search_entry_fts, 0, %s, %s),
       snippet(search_entry_fts, 2, %s, %s, '…', %s),
       -best.score, best.total
FROM best
JOIN search_entry_fts ON search_entry_fts.rowid = best.id
JOIN {entry} e ON e.id = best.id
LEFT JOIN {lesson} lesson ON lesson.id = e.lesson_id
LEFT JOIN {tree} tree ON tree.id = e.tree_id
WHERE search_entry_fts MATCH %s
ORDER BY best.score, e.id
"""


def sqlite_search(terms: tuple[str, ...], limit: int, user_id: int | None = None) -> list[Match]:
    expression = fts5_expression(terms)
    sql, visible_params = _statement(SQLITE_SEARCH, user_id)
    params = [
        expression,
        *visible_params,
        limit,
        MARK_START,
        MARK_END,
        MARK_START,
        MARK_END,
        SNIPPET_WORDS,
        expression,
    ]
    return _fetch(sql, params)


# PostgreSQL: ts_rank weighs the vector's A (title), C (context) and D (body) labels 1.0, 0.2
# and 0.1 by default. A short body is shown whole, as FTS5's snippet() does; a longer one as
# the fragment around the matches (fragment mode trims short words off a fragment's ends, which
# ate most of a short text). ts_headline drops what looks like an HTML tag from a fragment, but
# not when highlighting a whole text; either way the text is escaped afterwards.
# https://www.postgresql.org/docs/current/textsearch-controls.html#TEXTSEARCH-HEADLINE
POSTGRESQL_SEARCH = """
WITH query AS (SELECT to_tsquery('english', %s) AS q),
best AS (
    SELECT e.id AS id, ts_rank(e.search_vector, query.q) AS score, COUNT(*) OVER () AS total
    FROM {entry} e
    CROSS JOIN query{joins}
    WHERE e.search_vector @@ query.q
      AND {visible}
    ORDER BY score DESC, e.id
    LIMIT %s
)
SELECT e.id, e.kind, e.anchor, lesson.slug, lesson.title, tree.slug,
       ts_headline('english', e.title, query.q, %s),
       CASE WHEN char_length(e.body) <= %s
            THEN ts_headline('english', e.body, query.q, %s)
            ELSE ts_headline('english', e.body, query.q, %s) END,
       best.score, best.total
FROM best
CROSS JOIN query
JOIN {entry} e ON e.id = best.id
LEFT JOIN {lesson} lesson ON lesson.id = e.lesson_id
LEFT JOIN {tree} tree ON tree.id = e.tree_id
ORDER BY best.score DESC, e.id
"""
_SELECTORS = f"StartSel={MARK_START}, StopSel={MARK_END}"
POSTGRESQL_WHOLE_OPTIONS = f"{_SELECTORS}, HighlightAll=true"
POSTGRESQL_FRAGMENT_OPTIONS = f"{_SELECTORS}, MaxFragments=1, MaxWords={SNIPPET_WORDS}, MinWords=12"
SHORT_BODY_CHARS = 160


def postgresql_search(
    terms: tuple[str, ...], limit: int, user_id: int | None = None
) -> list[Match]:
    sql, visible_params = _statement(POSTGRESQL_SEARCH, user_id)
    params = [
        tsquery_expression(terms),
        *visible_params,
        limit,
        POSTGRESQL_WHOLE_OPTIONS,
        SHORT_BODY_CHARS,
        POSTGRESQL_WHOLE_OPTIONS,
        POSTGRESQL_FRAGMENT_OPTIONS,
    ]
    return _fetch(sql, params)


def _fetch(sql: str, params: list) -> list[Match]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Match(*row) for row in cursor.fetchall()]


BACKENDS = {"sqlite": sqlite_search, "postgresql": postgresql_search}


def backend_for(vendor: str):
    try:
        return BACKENDS[vendor]
    except KeyError:
        raise NotImplementedError(f"Search supports SQLite and PostgreSQL, not {vendor}.") from None
