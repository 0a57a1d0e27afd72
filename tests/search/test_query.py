"""Typed text made safe for each database, and matches made safe for a page (no database)."""

from __future__ import annotations

from search.query import (
    MARK_END,
    MARK_START,
    MAX_QUERY_LENGTH,
    fts5_expression,
    marked_html,
    parse_query,
    tsquery_expression,
    unmarked,
)


def test_a_query_is_its_words_lowercased():
    query = parse_query('  Percona "AND" NEAR(x*, -y)  title:z ')
    assert query.text == 'Percona "AND" NEAR(x*, -y) title:z'
    assert query.terms == ("percona", "and", "near", "x", "y", "title", "z")
    assert not query.truncated


def test_each_word_is_searched_once_and_the_last_stays_last():
    assert parse_query("aurora backup aurora backup cl").terms == ("aurora", "backup", "cl")
    assert parse_query("backup aurora backup").terms == ("aurora", "backup")


def test_punctuation_and_underscores_are_not_words():
    assert parse_query('"(*)" - ^ :').terms == ()
    assert parse_query("snake_case").terms == ("snake", "case")


def test_unicode_words_are_kept_and_compatibility_forms_folded():
    assert parse_query("Café ＰＩＴＲ ﬁle 東京").terms == ("café", "pitr", "file", "東京")


def test_a_long_query_is_cut_and_says_so():
    query = parse_query("word " * 400)
    assert len(query.text) <= MAX_QUERY_LENGTH
    assert query.truncated
    assert parse_query("x" * MAX_QUERY_LENGTH).truncated is False


def test_fts5_terms_are_quoted_and_the_last_is_a_prefix():
    assert fts5_expression(("near", "and", "perco")) == '"near" "and" "perco"*'
    assert fts5_expression(('a"b',)) == '"a""b"*'
    assert fts5_expression(("aurora", "c")) == '"aurora" "c"'  # one letter: a word, not a prefix


def test_tsquery_terms_are_quoted_anded_and_the_last_is_a_prefix():
    assert tsquery_expression(("restoring", "perco")) == "'restoring' & 'perco':*"
    assert tsquery_expression(("it's",)) == "'it''s':*"
    assert tsquery_expression(("aurora", "c")) == "'aurora' & 'c'"


def test_marked_text_is_escaped_before_matches_are_marked():
    text = f'<script>alert("x")</script> & {MARK_START}Percona{MARK_END} <b>'
    assert marked_html(text) == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <mark>Percona</mark> &lt;b&gt;"
    )


def test_stray_sentinels_never_open_a_mark():
    assert marked_html(f"a {MARK_START}b {MARK_END}{MARK_END}c {MARK_START}") == (
        "a <mark>b </mark>c"
    )
    assert unmarked(f"{MARK_START}Percona{MARK_END}  XtraBackup") == "Percona XtraBackup"
