"""
What the search index stores: plain text cut from lessons, cards and trees. Pure functions.

The index holds text, never Markdown or HTML: a lesson's stored HTML is split at its h2/h3
headings (the ones with anchors, which the table of contents lists) so each section is its own
document and a result can link to `#anchor`. Cards and trees are rendered through the one
Markdown helper and stripped the same way, so `**bold**` is indexed as "bold".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from flashcards.cards import CLOZE, QUESTION, prompts_for
from flashcards.options import OptionsError, parse_options
from portal.markdown import render_markdown
from search.query import MARK_END, MARK_START
from trees.definition import DefinitionError, parse_definition

# The characters that mark matches in snippets (search.query); content must not carry them
# in, or it could open and close <mark> elements of its own.
SENTINELS = re.compile(f"[{MARK_START}{MARK_END}]")
_SPACE = re.compile(r"\s+")

SECTION_HEADINGS = {"h2", "h3"}
# Elements whose end is a word break even when the HTML has no space there (<td>a</td><td>b</td>).
_BREAKS = {
    "address",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "summary",
    "table",
    "td",
    "th",
    "tr",
    "ul",
    "details",
    "caption",
}


def clean(text: str) -> str:
    """One line of plain text: sentinels removed, whitespace collapsed."""
    return _SPACE.sub(" ", SENTINELS.sub("", text)).strip()


@dataclass(frozen=True)
class Section:
    """A lesson section as indexed: its heading's anchor ("" before the first heading)."""

    anchor: str
    heading: str
    text: str


class _SectionSplitter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[tuple[str, list[str], list[str]]] = [("", [], [])]
        self.in_heading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        anchor = dict(attrs).get("id")
        if tag in SECTION_HEADINGS and anchor:
            self.sections.append((anchor, [], []))
            self.in_heading = tag
        elif tag in _BREAKS:
            self._current().append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self._current().append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == self.in_heading:
            self.in_heading = None
        elif tag in _BREAKS:
            self._current().append(" ")

    def handle_data(self, data: str) -> None:
        self._current().append(data)

    def _current(self) -> list[str]:
        _anchor, heading, text = self.sections[-1]
        return heading if self.in_heading else text


def split_sections(body_html: str) -> list[Section]:
    """The lesson's text before its first h2/h3, then one Section per anchored h2/h3."""
    splitter = _SectionSplitter()
    splitter.feed(body_html)
    splitter.close()
    return [
        Section(anchor=anchor, heading=clean("".join(heading)), text=clean("".join(text)))
        for anchor, heading, text in splitter.sections
    ]


def html_to_text(html: str) -> str:
    """All the text of an HTML fragment, headings included, on one line."""
    return " ".join(
        part for section in split_sections(html) for part in (section.heading, section.text) if part
    )


def markdown_to_text(markdown: str) -> str:
    return html_to_text(render_markdown(markdown).html) if markdown.strip() else ""


@dataclass(frozen=True)
class Document:
    """One row of the index, before it is stored."""

    title: str
    body: str
    context: str = ""  # the lesson's title, for a section or a card: matched, weighted low
    anchor: str = ""
    position: int = 0

    def as_fields(self) -> dict[str, str | int]:
        return {
            "title": self.title,
            "body": self.body,
            "context": self.context,
            "anchor": self.anchor,
            "position": self.position,
        }


def lesson_documents(*, title: str, summary: str, body_html: str) -> list[Document]:
    """The lesson's opening (titled with the lesson, with its summary) and each section."""
    sections = split_sections(body_html)
    opening, rest = sections[0], sections[1:]
    documents = [
        Document(title=clean(title), body=clean(f"{summary} {opening.text}"), context=clean(title))
    ]
    documents += [
        Document(
            title=section.heading or section.anchor,
            body=section.text,
            context=clean(title),
            anchor=section.anchor,
            position=position,
        )
        for position, section in enumerate(rest, start=1)
    ]
    return documents


def parse_options_leniently(back: str) -> list:
    """A question's options, or none when its back does not parse (a row saved without
    validation): search reads what it can."""
    try:
        return parse_options(back)
    except OptionsError:
        return []


def card_document(*, kind: str, front: str, back: str, section: str, lesson_title: str) -> Document:
    """A card as a learner reads it once answered: a cloze card with its deletions filled in;
    a question as it is asked (stem and options), never with what its answer says."""
    if kind == CLOZE:
        # The first prompt's answer side shows every deletion's text (its own one marked).
        prompts = prompts_for(kind, front, "")
        question = prompts[0].back if prompts else front
    else:
        question = front
    if kind == QUESTION:
        # The options' text only: a question's whys (and its "- [x]" marks) say which option is
        # right, and search results are shown to anyone, visitors and learners mid-study too.
        back = "\n\n".join(option.text for option in parse_options_leniently(back))
    return Document(
        title=markdown_to_text(question),
        body=markdown_to_text(back),
        context=clean(lesson_title),
        anchor=section,
    )


def tree_document(*, title: str, intro: str, definition: str) -> Document:
    """A tree with every question, answer, reason and outcome it holds, read from its
    definition (the text the tree row holds when it is saved)."""
    parts = [intro]
    try:
        _header, spec = parse_definition(definition)
    except DefinitionError:
        spec = None  # saved without validation (a shell, a fixture): title and intro only
    if spec is not None:
        for node in spec.nodes.values():
            parts.append(node.text)
            for choice in node.choices:
                parts += [choice.label, choice.why]
            parts.append(markdown_to_text(node.explanation))
    return Document(title=clean(title), body=clean(" ".join(part for part in parts if part)))
