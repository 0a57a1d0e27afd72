"""Markdown is rendered with the extensions authors use, and whatever it produces is sanitized."""

from __future__ import annotations

import pytest

from portal.markdown import render_markdown, sanitize_html


def test_tables_use_align_attributes_not_inline_styles():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |\n").html
    assert '<th align="left">a</th>' in html
    assert '<td align="right">2</td>' in html
    assert "style=" not in html


def test_fenced_code_keeps_its_language_class():
    html = render_markdown("```sql\nSELECT 1;\n```\n").html
    assert '<code class="language-sql">SELECT 1;' in html


def test_a_code_block_is_focusable_so_a_keyboard_can_scroll_it():
    html = render_markdown("```sql\nSELECT 1;\n```\n").html
    assert html.startswith('<pre tabindex="0"><code')


def test_a_table_scrolls_inside_a_focusable_region_named_by_its_header_row():
    html = render_markdown(
        "| Engine | *Restore* &amp; copy |\n|---|---|\n| RDS | new instance |\n"
    ).html
    assert html.startswith(
        '<div class="table-scroll" role="region" tabindex="0" '
        'aria-label="Table: Engine, Restore &amp; copy"><table>'
    )
    assert html.endswith("</table></div>")


def test_authors_cannot_write_the_scroll_attributes_themselves():
    html = render_markdown('<div class="table-scroll" tabindex="0" role="region">x</div>\n').html
    assert "table-scroll" not in html and "tabindex" not in html and "role" not in html


def test_headings_get_ids_and_a_nested_table_of_contents():
    rendered = render_markdown("## Restore & recover\n\ntext\n\n### From S3\n\nmore\n\n## Next\n")
    assert '<h2 id="restore-recover">Restore &amp; recover</h2>' in rendered.html
    assert [(e.id, e.name, e.level) for e in rendered.toc] == [
        ("restore-recover", "Restore & recover", 2),
        ("next", "Next", 2),
    ]
    assert [(c.id, c.name) for c in rendered.toc[0].children] == [("from-s3", "From S3")]


def test_attribute_lists_set_heading_ids():
    rendered = render_markdown("## Point in time {: #pitr }\n")
    assert '<h2 id="pitr">' in rendered.html
    assert [entry.id for entry in rendered.toc] == ["pitr"]


def test_admonitions_render_with_their_classes():
    html = render_markdown('!!! tip "Exam anchor"\n    Aurora backups cannot be disabled.\n').html
    assert '<div class="admonition tip">' in html
    assert '<p class="admonition-title">Exam anchor</p>' in html


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("<script>alert(1)</script>", "alert(1)"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "javascript"),
        ('<a href="&#106;avascript:alert(1)">x</a>', "avascript"),
        ('<p style="position:fixed">x</p>', "style="),
        ('<iframe src="https://example.com"></iframe>', "<iframe"),
        ('<div hx-get="/admin/" hx-trigger="load">x</div>', "hx-"),
        ('<form action="/accounts/logout/"><button>x</button></form>', "<form"),
        ("<svg><script>alert(1)</script></svg>", "<svg"),
    ],
)
def test_dangerous_markup_comes_out_harmless(source, forbidden):
    html = render_markdown(source).html
    assert forbidden not in html.lower()


def test_links_keep_safe_urls_and_gain_rel():
    html = render_markdown("[docs](https://docs.aws.amazon.com/) and [mail](mailto:a@b.c)").html
    assert 'href="https://docs.aws.amazon.com/"' in html
    assert 'rel="noopener noreferrer"' in html
    assert 'href="mailto:a@b.c"' in html


def test_unknown_classes_are_dropped_but_admonition_classes_kept():
    html = sanitize_html('<div class="admonition note site-header">x</div>')
    assert "site-header" not in html
    assert "admonition note" in html
