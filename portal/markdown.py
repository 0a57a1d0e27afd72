"""
The one place Markdown becomes HTML.

Every piece of authored text (lesson bodies, tree outcomes, card faces) is rendered here once,
when it is saved, and sanitized with nh3 against an allowlist. Pages only read the stored HTML,
so a page view never runs Markdown and never trusts an author's raw HTML.

The parser is markdown-it-py (CommonMark) because its time grows in step with the input
whatever the input holds: Python-Markdown, used before, took 39 s over 15 KB of `[` and
crashed on deep nesting (docs/NOTES.md, "Bounded rendering"). Python-Markdown's syntax for
what authors here use is kept: admonitions (`!!! tip "Title"`), attribute lists on headings
and paragraphs (`## Title {: #anchor }`), its heading anchors and tables with `align`.
One addition of our own: a paragraph starting `Exam:` is an exam tip (`_exam_tips`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin

from portal.problems import Problem, ProblemList

# Lists, block quotes and admonitions inside one another: deeper than this is refused rather
# than rendered, because the parser stops nesting (and drops the rest of the block) at its own
# limit, which stays above this one (a list takes two levels: the list and its item).
MAX_NESTING = 20
_BLOCK_NESTING = 2 * MAX_NESTING + 4
# Inline markup inside one another (a link in emphasis in strong...): beyond this the rest is
# plain text. The parser's time on a run of `[` or `![` grows with this limit (at 20, 100 KB of
# `![` took 1.8 s; at 8, 0.8 s), so inline text gets its own, lower one.
_INLINE_NESTING = 8

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
    "exam",
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


def _embed_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A line `[[tree:slug]]` where a top-level block may start (not in code, a list or a
    quote: the page cuts the lesson's HTML at each embed) is an embed."""
    if state.level > 0 or state.sCount[start] - state.blkIndent >= 4:
        return False
    line = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]]
    match = EMBED_MARKER.match(line)
    if match is None:
        return False
    if not silent:
        token = state.push("portal_embed", "", 0)
        token.meta = match.groupdict()
        token.map = [start, start + 1]
        state.line = start + 1
    return True


def _render_embed(self, tokens: list[Token], idx: int, options, env) -> str:
    return f"<p>{_SENTINEL.format(**tokens[idx].meta)}</p>\n"


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


@dataclass(frozen=True)
class Parsed:
    """Markdown parsed, for rendering and for reading its tree (notes/units.py) from one parse:
    a 1 MB note takes seconds to parse."""

    tokens: list[Token]
    env: dict[str, Any]


def parse_markdown(text: str) -> Parsed:
    env: dict[str, Any] = {}
    return Parsed(PARSER.parse(text, env), env)


def render_markdown(text: str) -> Rendered:
    """Render Markdown to sanitized HTML, with its table of contents.

    Raises MarkdownTooDeep for nesting beyond MAX_NESTING; the validators of everything that
    holds Markdown (notes, cards, trees, the lesson admin) call nesting_problem first.
    """
    return render_parsed(parse_markdown(text))


def render_parsed(parsed: Parsed) -> Rendered:
    """render_markdown of Markdown already parsed. Rendering reads the tokens and leaves them
    as they were (the parser's own rules are what change them), so they can be read again."""
    problem = _nesting_problem(parsed.tokens)
    if problem is not None:
        raise MarkdownTooDeep([problem])
    html = PARSER.renderer.render(parsed.tokens, PARSER.options, parsed.env).rstrip()
    clean = _scrollable(sanitize_html(html))
    embeds = [(m["kind"], m["slug"]) for m in _SENTINEL_PARAGRAPH.finditer(clean)]
    clean = _SENTINEL_PARAGRAPH.sub(r'<div data-embed="\g<kind>:\g<slug>"></div>', clean)
    return Rendered(html=clean, toc=parsed.env.get("toc", []), embeds=embeds)


def nesting_problem(text: str, *, first_line: int = 1) -> Problem | None:
    """The problem with Markdown nested deeper than MAX_NESTING, at its line; None when fine."""
    problem = _nesting_problem(PARSER.parse(text))
    if problem is None:
        return None
    return Problem(problem.message, problem.line + first_line - 1)


class MarkdownTooDeep(ProblemList):
    pass


_CONTAINERS = {"blockquote", "bullet_list", "ordered_list", "admonition"}


def _nesting_problem(tokens: list[Token]) -> Problem | None:
    depth = 0
    for token in tokens:
        kind = token.type.rsplit("_", 1)[0]
        if kind not in _CONTAINERS:
            continue
        if token.nesting == 1:
            depth += 1
            if depth > MAX_NESTING:
                return Problem(
                    f"lists, block quotes and admonitions are nested more than "
                    f"{MAX_NESTING} deep here",
                    token.map[0] + 1 if token.map else None,
                )
        elif token.nesting == -1:
            depth -= 1
    return None


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


# Python-Markdown's attribute lists: `{: #id .class key="value" }` at the end of a heading, or
# alone on the last line of a paragraph. The sanitizer keeps only what the allowlist allows.
_ATTRIBUTE_LIST = re.compile(r"\{:?([^{}\n]*)\}[ \t]*")
_ATTRIBUTE = re.compile(r"""#([^\s#.]+)|\.([^\s#.]+)|([\w:-]+)=(?:"([^"]*)"|'([^']*)'|(\S+))""")


def _attribute_lists(state: StateCore) -> None:
    """Runs between block and inline parsing, so the attribute list is never inline text."""
    for index, token in enumerate(state.tokens[:-1]):
        if token.type not in ("heading_open", "paragraph_open"):
            continue
        inline = state.tokens[index + 1]
        # Only the last `{` can open the list, so the text is scanned once, not once per `{`.
        start = inline.content.rfind("{")
        match = _ATTRIBUTE_LIST.fullmatch(inline.content, start) if start > 0 else None
        before = inline.content[:start]
        if token.type == "heading_open":
            stands_alone = before.endswith((" ", "\t"))
        else:  # a paragraph's, on a line of its own
            stands_alone = before.rstrip(" \t").endswith("\n")
        if match is None or not stands_alone:
            continue
        inline.content = before.rstrip()
        classes: list[str] = []
        for found in _ATTRIBUTE.finditer(match[1]):
            anchor, css_class, key = found[1], found[2], found[3]
            if anchor:
                token.attrSet("id", anchor)
            elif css_class:
                classes.append(css_class)
            elif key:
                token.attrSet(key, next(v for v in found.groups()[3:] if v is not None))
        if classes:
            token.attrSet("class", " ".join(classes))


# An exam anchor: a paragraph starting `Exam:` (any case) and then the statement. A backslash
# (`Exam\:`) keeps it a plain paragraph, as it does for any Markdown punctuation.
_EXAM_PREFIX = re.compile(r"exam:\s*(?=\S)", re.IGNORECASE)
EXAM_TIP_TITLE = "Exam tip"
_LISTS = ("bullet_list", "ordered_list")


def _exam_tips(state: StateCore) -> None:
    """Make a paragraph starting `Exam:` an exam-tip box, and give `!!! exam` the same title.

    The box is written as the tokens `!!! exam "Exam tip"` would make, so it renders, is
    sanitized and counts towards the nesting limit like any admonition. This runs before
    inline parsing, so the prefix is never text and the statement keeps its inline Markdown.
    Paragraphs in list items are left alone: a list item is not a paragraph of its own (and in
    a tight list it has no <p> at all), so `- Exam: ...` stays an item.
    """
    tokens: list[Token] = []
    lists = 0
    closing = False  # inside a paragraph being boxed: its close also closes the box
    source = state.tokens
    for index, token in enumerate(source):
        kind, _, end = token.type.rpartition("_")
        if kind in _LISTS:
            lists += 1 if end == "open" else -1
        if token.type == "admonition_open" and token.info.strip().lower() == "exam":
            # `!!! exam` with no title: the plugin titles it "Exam"; the box says "Exam tip".
            title = source[index + 2] if index + 2 < len(source) else None
            if source[index + 1].type == "admonition_title_open" and title is not None:
                title.content = token.content = EXAM_TIP_TITLE
        if token.type == "paragraph_open" and not lists and not token.hidden:
            inline = source[index + 1]
            prefix = _EXAM_PREFIX.match(inline.content)
            if prefix is not None:
                inline.content = inline.content[prefix.end() :]
                tokens += _exam_tip_open(token)
                closing = True
        if closing:
            token.level += 1
        tokens.append(token)
        if closing and token.type == "paragraph_close":
            closing = False
            tokens.append(_exam_token("admonition_close", "div", -1, token.level - 1, token.map))
    state.tokens = tokens


def _exam_tip_open(paragraph: Token) -> list[Token]:
    """The tokens that open an exam-tip box around `paragraph`, up to the paragraph itself."""
    level, lines = paragraph.level, paragraph.map
    box = _exam_token("admonition_open", "div", 1, level, lines)
    box.attrSet("class", "admonition exam")
    box.meta = {"tag": "exam"}
    box.content = EXAM_TIP_TITLE
    title_open = _exam_token("admonition_title_open", "p", 1, level + 1, lines)
    title_open.attrSet("class", "admonition-title")
    title = _exam_token("inline", "", 0, level + 2, lines)
    title.content = EXAM_TIP_TITLE
    title.children = []
    title_close = _exam_token("admonition_title_close", "p", -1, level + 1, lines)
    return [box, title_open, title, title_close]


def _exam_token(kind: str, tag: str, nesting: int, level: int, lines: list[int] | None) -> Token:
    token = Token(kind, tag, nesting, level=level, map=lines, block=kind != "inline")
    if kind.startswith("admonition"):
        token.markup = "!!!"
    return token


def slugify(text: str) -> str:
    """A heading's anchor, as Python-Markdown's table of contents made it (ASCII, lowercase,
    words joined by "-"), so that anchors stay the same across the change of parser."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


_NUMBERED = re.compile(r"^(.*)_([0-9]+)$")


def _unique(anchor: str, used: set[str], runs: dict[str, tuple[int, int]]) -> str:
    # Python-Markdown's rule: "x", then "x_1", "x_2"... `runs` remembers, for each base, a
    # run of numbers found taken (from, to), so that a note of thousands of headings alike
    # costs a step each rather than a walk over every earlier number (8,000 "## H" took 35 s).
    if anchor and anchor not in used:
        used.add(anchor)
        return anchor
    numbered = _NUMBERED.match(anchor)
    base, number = (numbered[1], int(numbered[2]) + 1) if numbered else (anchor, 1)
    low, high = runs.get(base, (number, number))
    start = high if low <= number < high else number
    candidate = start
    while f"{base}_{candidate}" in used:
        candidate += 1
    runs[base] = (min(low, number) if low <= number < high else number, candidate + 1)
    anchor = f"{base}_{candidate}"
    used.add(anchor)
    return anchor


def _heading_text(inline: Token) -> str:
    parts = [
        child.content
        for child in inline.children or []
        if child.type in ("text", "code_inline", "text_special")
    ]
    return " ".join("".join(parts).split())


def _headings(state: StateCore) -> None:
    """Give every heading an anchor and list the h2 and h3 ones as the table of contents."""
    tokens = state.tokens
    used = {t.attrGet("id") for t in tokens if t.type == "heading_open" and t.attrGet("id")}
    runs: dict[str, tuple[int, int]] = {}
    toc: list[TocEntry] = []
    open_entries: list[TocEntry] = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        name = _heading_text(tokens[index + 1])
        anchor = token.attrGet("id") or _unique(slugify(name), used, runs)
        token.attrSet("id", anchor)
        level = int(token.tag[1])
        if level not in (2, 3):
            continue  # the page title is the h1; deeper headings stay out of the contents
        entry = TocEntry(id=anchor, name=name, level=level)
        while open_entries and open_entries[-1].level >= level:
            open_entries.pop()
        (open_entries[-1].children if open_entries else toc).append(entry)
        open_entries.append(entry)
    state.env["toc"] = toc


def _table_alignment(state: StateCore) -> None:
    # Cells are aligned with the `align` attribute rather than inline `style`, which the
    # sanitizer drops and the Content Security Policy would block anyway.
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrGet("style")
            if style and style.startswith("text-align:"):
                token.attrs.pop("style")
                token.attrSet("align", style.removeprefix("text-align:"))


def _inline(state: StateCore) -> None:
    # markdown-it's own inline step, with the inline parser reading its nesting limit from a
    # parser configured like this one but for that limit.
    for token in state.tokens:
        if token.type == "inline":
            token.children = []
            state.md.inline.parse(token.content, _INLINE_OPTIONS, state.env, token.children)


def _parser(nesting: int) -> MarkdownIt:
    # CommonMark with raw HTML (sanitized afterwards), tables and admonitions; no smart quotes,
    # no bare-URL links, as before.
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": nesting})
    md.enable("table")
    md.use(admon_plugin)
    md.block.ruler.before(
        "paragraph", "portal_embed", _embed_rule, {"alt": ["paragraph", "reference"]}
    )
    md.add_render_rule("portal_embed", _render_embed)
    md.core.ruler.before("inline", "portal_attribute_lists", _attribute_lists)
    md.core.ruler.before("inline", "portal_exam_tips", _exam_tips)
    md.core.ruler.at("inline", _inline)
    md.core.ruler.push("portal_headings", _headings)
    md.core.ruler.push("portal_table_alignment", _table_alignment)
    return md


# The one configured parser; tests render through it without the sanitizer.
PARSER = _parser(_BLOCK_NESTING)
_INLINE_OPTIONS = _parser(_INLINE_NESTING)
