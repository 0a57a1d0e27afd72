"""
The one place Markdown becomes HTML.

Every piece of authored text (lesson bodies, tree outcomes, card faces) is rendered here once,
when it is saved, and sanitized with nh3 against an allowlist. Pages only read the stored HTML,
so a page view never runs Markdown and never trusts an author's raw HTML.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import markdown
import nh3
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

# Python-Markdown extensions: tables, fenced code, heading ids + table of contents, attribute
# lists, admonitions. Tables use the `align` attribute rather than inline `style`, which the
# sanitizer drops and the Content Security Policy would block anyway.
EXTENSIONS = ["tables", "fenced_code", "toc", "attr_list", "admonition", "sane_lists"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "tables": {"use_align_attribute": True},
    # Only h2/h3 make the table of contents: the page title is the h1.
    "toc": {"toc_depth": "2-3", "permalink": False},
}

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}

ALLOWED_ATTRIBUTES = {
    "*": {"id", "title", "lang"},
    "a": {"href"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}

# Classes the site's stylesheet knows; anything else is removed rather than letting authored
# content borrow the site's own UI classes.
ADMONITION_CLASSES = {
    "admonition",
    "admonition-title",
    "note",
    "tip",
    "warning",
    "danger",
    "important",
    "info",
}
ALLOWED_CLASSES = {
    "div": ADMONITION_CLASSES,
    "p": ADMONITION_CLASSES,
    "code": {
        f"language-{lang}"
        for lang in (
            "bash",
            "console",
            "json",
            "python",
            "sh",
            "shell",
            "sql",
            "text",
            "yaml",
            "toml",
            "ini",
            "html",
            "javascript",
            "hcl",
        )
    },
}

URL_SCHEMES = {"http", "https", "mailto"}

# Browsers drop tabs and line breaks anywhere in a URL and control characters and spaces at
# its ends, and read "\\" as "/" in http(s) URLs (https://url.spec.whatwg.org/#url-parsing).
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_TRIMMED = "".join(chr(code) for code in range(0x21))


def _images_from_this_site(element: str, attribute: str, value: str) -> str | None:
    """Keep an image only when its URL is relative, i.e. on this site.

    The Content Security Policy allows images from this site alone (img-src 'self'), so an
    image from elsewhere could never show; dropping its URL here keeps it from being a
    blocked request (and a tracking pixel) on every page view instead.
    """
    if element != "img" or attribute != "src":
        return value
    url = _URL_IGNORED.sub("", value).strip(_URL_TRIMMED).replace("\\", "/")
    if ":" in url.split("/", 1)[0] or url.startswith("//"):
        return None  # a scheme (https:, data:, ...) or another host
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_images_from_this_site,
    allowed_classes=ALLOWED_CLASSES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


# Embeds: a line `[[tree:slug]]` places a decision tree in a lesson. The marker becomes an
# empty `<div data-embed="tree:slug">` after sanitizing (authors cannot write that attribute
# themselves: it is not on the allowlist), and the page splits the HTML there.
EMBED_MARKER = re.compile(r"^\[\[(?P<kind>tree):(?P<slug>[a-z0-9][a-z0-9_-]*)\]\]\s*$")
_SENTINEL = "portal-embed-5f2c9a-{kind}-{slug}"
_SENTINEL_PARAGRAPH = re.compile(
    r"<p>portal-embed-5f2c9a-(?P<kind>tree)-(?P<slug>[a-z0-9][a-z0-9_-]*)</p>"
)
_EMBED_DIV = re.compile(r'<div data-embed="(?P<kind>tree):(?P<slug>[a-z0-9][a-z0-9_-]*)"></div>')


# Anything that may scroll sideways must be reachable by keyboard (WCAG 2.1.1; axe's rule
# scrollable-region-focusable): a table scrolls inside a region named after its header row, and
# a code block is focusable itself. Added after sanitizing: authors cannot write these attributes.
_TABLE = re.compile(r"<table[\s>].*?</table>", re.S)
_FIRST_ROW = re.compile(r"<tr[\s>].*?</tr>", re.S)
_CELL = re.compile(r"<t[hd][\s>].*?</t[hd]>", re.S)
_TAG = re.compile(r"<[^>]*>")
_PRE = re.compile(r"<pre(?=[\s>])")


def _scrollable(clean: str) -> str:
    def wrap(match: re.Match) -> str:
        row = _FIRST_ROW.search(match[0])
        cells = [html.unescape(_TAG.sub("", cell)) for cell in _CELL.findall(row[0] if row else "")]
        names = ", ".join(" ".join(cell.split()) for cell in cells if cell.strip())
        label = f"Table: {names}"[:120] if names else "Table"
        return (
            f'<div class="table-scroll" role="region" tabindex="0" '
            f'aria-label="{html.escape(label)}">{match[0]}</div>'
        )

    return _PRE.sub('<pre tabindex="0"', _TABLE.sub(wrap, clean))


class _EmbedMarkers(Preprocessor):
    # Runs after fenced_code (priority 25) has set code blocks aside, so a marker shown
    # inside a code example stays literal text.
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for line in lines:
            match = EMBED_MARKER.match(line.strip())
            if match:
                out.extend(["", _SENTINEL.format(**match.groupdict()), ""])
            else:
                out.append(line)
        return out


class _EmbedExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.preprocessors.register(_EmbedMarkers(md), "portal_embeds", 20)


@dataclass(frozen=True)
class TocEntry:
    """One heading in a rendered document: its anchor id, its text and the ones below it."""

    id: str
    name: str
    level: int
    children: list[TocEntry] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "level": self.level,
            "children": [child.as_dict() for child in self.children],
        }


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: list[TocEntry]
    embeds: list[tuple[str, str]] = field(default_factory=list)


def sanitize_html(html: str) -> str:
    """Strip everything not on the allowlist: scripts, event handlers, unsafe URLs, styles."""
    return _cleaner.clean(html)


def render_markdown(text: str) -> Rendered:
    """Render Markdown to sanitized HTML, with its table of contents."""
    md = markdown.Markdown(
        extensions=[*EXTENSIONS, _EmbedExtension()], extension_configs=EXTENSION_CONFIGS
    )
    clean = _scrollable(sanitize_html(md.convert(text)))
    embeds = [(m["kind"], m["slug"]) for m in _SENTINEL_PARAGRAPH.finditer(clean)]
    clean = _SENTINEL_PARAGRAPH.sub(r'<div data-embed="\g<kind>:\g<slug>"></div>', clean)
    toc = [_toc_entry(token) for token in getattr(md, "toc_tokens", [])]
    return Rendered(html=clean, toc=toc, embeds=embeds)


def split_embeds(html: str) -> list[tuple[str, str]]:
    """Cut stored HTML at its embeds: [("html", text), ("tree", slug), ("html", text), ...]."""
    parts: list[tuple[str, str]] = []
    position = 0
    for match in _EMBED_DIV.finditer(html):
        if match.start() > position:
            parts.append(("html", html[position : match.start()]))
        parts.append((match["kind"], match["slug"]))
        position = match.end()
    if position < len(html):
        parts.append(("html", html[position:]))
    return parts


def _toc_entry(token: dict[str, Any]) -> TocEntry:
    # Python-Markdown hands over the heading text HTML-escaped; templates escape it again on
    # output, so store the plain text.
    return TocEntry(
        id=token["id"],
        name=html.unescape(token["name"]),
        level=token["level"],
        children=[_toc_entry(child) for child in token.get("children", [])],
    )
