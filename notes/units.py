"""
A note's body as the units suggested cards are made from (issue 21; the rules are in
notes/suggest.py). Pure functions, no database.

A unit is one sentence of a paragraph or one bullet, as its inline pieces (plain text, bold
phrases, other markup kept as Markdown), with what the note says about it from above: its
context (the nearest heading that is not about the exam, then the labels above it, "Aurora
backups › Automated backups"), whether it is an exam anchor, its heading's anchor and its line.
The body is parsed with the parser the lesson is rendered with (`portal.markdown.PARSER`), so
a unit's section is the anchor its heading gets on the page.

Never a unit: a heading, the epigraph (block quotes before the first `---` or heading), code,
tables, or a label: a short all-bold line ("**Automated backups**"), a short line ending in ":"
before a list ("How it works:"), or such a line as a list item holding a list. A label, and
any list item holding a list, is context for what is under it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from markdown_it.token import Token

from portal.markdown import PARSER

MAX_TERM_WORDS = 6
MAX_TERM_LENGTH = 60
MAX_LABEL_WORDS = 8
EXAM = re.compile(r"\bexams?\b", re.IGNORECASE)
_ANCHOR = re.compile(r"^[-a-z0-9_.]+$")  # a card's section, as flashcards.cards checks it
# Where a sentence may end: after . ! or ? (and a closing quote), before white space.
_SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*(\s+|$)")
# "Note: …" introduces a remark; it does not define a note.
_NOT_TERMS = {"note", "notes", "tip", "hint", "warning", "caution", "important", "example", "nb"}
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "cf", "approx", "incl", "no", "ca"}


@dataclass(frozen=True)
class Piece:
    """A run of a unit's inline text: plain text, a bold phrase, or other markup kept as is."""

    kind: str  # "text", "bold" or "other"
    plain: str
    markdown: str = ""
    line: int = 0  # lines into its block

    def with_plain(self, plain: str) -> Piece:
        # Not dataclasses.replace: this runs for every sentence of the note, and that is slow.
        return Piece(self.kind, plain, self.markdown, self.line)

    @property
    def md(self) -> str:
        return _escape(self.plain) if self.kind == "text" else self.markdown


@dataclass(frozen=True)
class Unit:
    """One sentence or bullet, with what the headings and labels above it say about it."""

    pieces: list[Piece]
    # "Term: definition" split at its colon, or None when the unit is not shaped so.
    term: tuple[list[Piece], list[Piece]] | None
    context: str  # "Aurora backups › Automated backups", or ""
    exam: bool  # under an exam heading or label, in an exam tip, or a bullet "Exam: …"
    section: str  # the anchor of the heading above, or ""
    line: int  # the line of the note's body it starts on, from 0


def note_units(body: str, *, tokens: list[Token] | None = None) -> Iterator[Unit]:
    """The units of a note's Markdown body, in reading order. `tokens` are the body as
    `portal.markdown.parse_markdown` parsed it, when the import has them already."""
    tokens = PARSER.parse(body, {}) if tokens is None else tokens
    yield from _Walker().walk(_blocks(tokens), labels=(), exam=False, top=True)


def plain(pieces: list[Piece]) -> str:
    return "".join(piece.plain for piece in pieces)


def markdown(pieces: list[Piece]) -> str:
    """The pieces as Markdown, bold kept."""
    return "".join(f"**{p.md}**" if p.kind == "bold" else p.md for p in pieces)


def unbolded(pieces: list[Piece]) -> str:
    """The pieces as Markdown, bold dropped: a card's answer need not shout."""
    return "".join(piece.md for piece in pieces)


def letters(text: str) -> int:
    return sum(character.isalnum() for character in text)


# Inline pieces -------------------------------------------------------------------------------


@dataclass
class _Block:
    type: str
    token: Token
    children: list[_Block] = field(default_factory=list)
    inline: Token | None = None


def _blocks(tokens: list[Token]) -> list[_Block]:
    root = _Block("root", Token("root", "", 0))
    stack = [root]
    for token in tokens:
        if token.nesting == 1:
            block = _Block(token.type.removesuffix("_open"), token)
            stack[-1].children.append(block)
            stack.append(block)
        elif token.nesting == -1:
            stack.pop()
        elif token.type == "inline":
            stack[-1].inline = token
        else:
            stack[-1].children.append(_Block(token.type, token))
    return root.children


def _pieces(children: list[Token], line: int = 0) -> list[Piece]:
    pieces: list[Piece] = []
    links: list[str] = []  # the open links' addresses
    index = 0
    while index < len(children):
        child = children[index]
        kind = child.type
        if kind == "strong_open":
            depth, end = 1, index + 1
            while depth and end < len(children):
                depth += {"strong_open": 1, "strong_close": -1}.get(children[end].type, 0)
                end += 1
            inside = children[index + 1 : end - 1 if depth == 0 else end]
            inner = _pieces(inside, line)
            pieces.append(Piece("bold", plain(inner), markdown(inner), line))
            line += sum(token.type in ("softbreak", "hardbreak") for token in inside)
            index = end
            continue
        if kind == "text":
            pieces.append(Piece("text", child.content, line=line))
        elif kind in ("softbreak", "hardbreak"):
            pieces.append(Piece("text", " ", line=line))
            line += 1
        elif kind == "code_inline":
            code = f"{child.markup}{child.content}{child.markup}"
            pieces.append(Piece("other", child.content, code, line))
        elif kind in ("em_open", "em_close"):
            pieces.append(Piece("other", "", "*", line))
        elif kind == "link_open":
            links.append(_address(child.attrGet("href")))
            pieces.append(Piece("other", "", "[", line))
        elif kind == "link_close":
            pieces.append(Piece("other", "", f"]({links.pop() if links else ''})", line))
        elif kind == "image":
            image = f"![{_escape(child.content)}]({_address(child.attrGet('src'))})"
            pieces.append(Piece("other", "", image, line))
        elif kind == "html_inline":
            pieces.append(Piece("other", "", child.content, line))
        index += 1
    return pieces


def _address(url) -> str:
    url = str(url or "")
    return f"<{url}>" if re.search(r"[\s()<>]", url) else url


def _escape(text: str) -> str:
    """Plain text as Markdown that reads back as the same text."""
    text = re.sub(r"([\\`*\[\]<{}])", r"\\\1", text)
    text = re.sub(r"&(?=#?[A-Za-z0-9]+;)", r"\\&", text)
    return re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)


# Sentences, terms and labels -----------------------------------------------------------------


def _ahead(pieces: list[Piece], start: int) -> str:
    """The text just after pieces[start - 1]: enough to see how the next sentence starts,
    without joining the rest of a long paragraph at every full stop."""
    return plain(pieces[start : start + 3])


def _sentences(pieces: list[Piece]) -> list[list[Piece]]:
    """Split a paragraph's pieces into sentences, at an end mark followed by white space and a
    capital (or bold or code), never inside bold or code, nor after "e.g." and its kind."""
    sentences: list[list[Piece]] = [[]]
    for position, piece in enumerate(pieces):
        if piece.kind != "text":
            sentences[-1].append(piece)
            # "**A daily backup.** RDS takes one a day": the bold phrase is a sentence.
            after = _ahead(pieces, position + 1)
            if re.search(r"[.!?][\"”’)\]]*$", piece.plain) and re.match(r"\s+[A-Z“\"(]", after):
                sentences.append([])
            continue
        text, start = piece.plain, 0
        later = pieces[position + 1 : position + 2]
        for match in _SENTENCE_END.finditer(text):
            after = text[match.end() :] or _ahead(pieces, position + 1)
            spaced = bool(match[1]) or after[:1].isspace()
            following = after.lstrip()[:1]
            ends_piece = not text[match.end() :]
            opens = (
                following.isupper()
                or following in '“"('
                or (ends_piece and bool(later) and later[0].kind != "text")
            )
            words = text[: match.start()].split()
            word = words[-1] if words else ""
            if not (spaced and opens) or word.casefold() in _ABBREVIATIONS or len(word) == 1:
                continue
            sentences[-1].append(piece.with_plain(text[start : match.end()]))
            sentences.append([])
            start = match.end()
        if text[start:]:
            sentences[-1].append(piece.with_plain(text[start:]))
    return [sentence for sentence in sentences if plain(sentence).strip()]


def _split_term(pieces: list[Piece]) -> tuple[list[Piece], list[Piece]] | None:
    """A "Term: definition" unit's term and definition, or None when it is not one."""
    for index, piece in enumerate(pieces):
        if piece.kind == "bold" and piece.plain.rstrip().endswith(":"):
            bold = Piece(
                "bold", piece.plain.rstrip()[:-1], piece.markdown.rstrip()[:-1], piece.line
            )
            term = [*pieces[:index], bold]
            definition = pieces[index + 1 :]
            break
        if piece.kind == "text" and ":" in piece.plain:
            before, _, after = piece.plain.partition(":")
            if not after[:1].isspace():
                return None  # "10:30", "s3://": not a term
            term = [*pieces[:index], piece.with_plain(before)]
            definition = [piece.with_plain(after), *pieces[index + 1 :]]
            break
    else:
        return None
    words = plain(term).split()
    too_long = len(words) > MAX_TERM_WORDS or len(plain(term)) > MAX_TERM_LENGTH
    if not words or too_long or re.search(r"[.!?;]", plain(term)) or not letters(plain(definition)):
        return None
    return term, _trim(definition)


def _trim(pieces: list[Piece]) -> list[Piece]:
    """The pieces without white space at either end."""
    pieces = list(pieces)
    while pieces and pieces[0].kind == "text" and not pieces[0].plain.strip():
        pieces.pop(0)
    while pieces and pieces[-1].kind == "text" and not pieces[-1].plain.strip():
        pieces.pop()
    if pieces and pieces[0].kind == "text":
        pieces[0] = pieces[0].with_plain(pieces[0].plain.lstrip())
    if pieces and pieces[-1].kind == "text":
        pieces[-1] = pieces[-1].with_plain(pieces[-1].plain.rstrip())
    return pieces


def _is_label(pieces: list[Piece], *, before_list: bool) -> bool:
    """A line that names what follows rather than saying something: all bold and short, or
    short and ending in ":" before a list."""
    text = plain(pieces).strip()
    if not text or len(text.split()) > MAX_LABEL_WORDS:
        return False
    all_bold = all(p.kind == "bold" or not p.plain.strip(" :") for p in pieces)
    if all_bold and not re.search(r"[.!?]$", text):
        return True
    return before_list and text.endswith(":")


def _label_text(pieces: list[Piece]) -> str:
    return " ".join(plain(pieces).split()).rstrip(":").strip()


def _term_text(split: tuple[list[Piece], list[Piece]] | None) -> str:
    return plain(split[0]).strip().casefold() if split else ""


# The walk ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Heading:
    level: int
    text: str
    anchor: str

    @property
    def exam(self) -> bool:
        return bool(EXAM.search(self.text))


class _Walker:
    """Goes through the blocks in order, knowing the headings and labels above each unit."""

    def __init__(self) -> None:
        self.headings: list[_Heading] = []
        self.started = False  # past the epigraph: a `---` or a heading has been seen

    def walk(self, blocks: list[_Block], *, labels: tuple[str, ...], exam: bool, top: bool):
        label: str | None = None
        for index, block in enumerate(blocks):
            following = blocks[index + 1].type if index + 1 < len(blocks) else ""
            if block.type in ("bullet_list", "ordered_list"):
                for item in block.children:
                    inner = (*labels, label) if label else labels
                    yield from self.item(item, labels=inner, exam=exam)
                continue  # a label holds for each list after it
            label = None
            if block.type == "heading":
                self.heading(block)
            elif block.type == "hr" and top:
                self.started = True
            elif block.type == "paragraph":
                pieces = _pieces(block.inline.children or [])
                if _is_label(pieces, before_list=following.endswith("_list")):
                    label = _label_text(pieces)
                else:
                    yield from self.units(pieces, block, labels=labels, exam=exam)
            elif block.type == "blockquote" and (self.started or not top):
                yield from self.walk(block.children, labels=labels, exam=exam, top=False)
            elif block.type == "admonition":
                box = "exam" in (block.token.attrGet("class") or "").split()
                yield from self.walk(block.children, labels=labels, exam=exam or box, top=False)

    def heading(self, block: _Block) -> None:
        self.started = True
        level = int(block.token.tag[1])
        while self.headings and self.headings[-1].level >= level:
            self.headings.pop()
        text = " ".join(plain(_pieces(block.inline.children or [])).split())
        self.headings.append(_Heading(level, text, block.token.attrGet("id") or ""))

    def item(self, item: _Block, *, labels: tuple[str, ...], exam: bool):
        children = item.children
        if not children or children[0].type != "paragraph":
            yield from self.walk(children, labels=labels, exam=exam, top=False)
            return
        pieces = _pieces(children[0].inline.children or [])
        holds_list = any(child.type.endswith("_list") for child in children)
        if not (holds_list and _is_label(pieces, before_list=True)):
            yield from self.units(pieces, children[0], labels=labels, exam=exam)
        # The item's text is the context of what it holds: "IAM-based authentication › …".
        inner = (*labels, _label_text(pieces)) if holds_list else labels
        yield from self.walk(children[1:], labels=inner, exam=exam, top=False)

    def units(self, pieces: list[Piece], block: _Block, *, labels, exam: bool):
        exam = exam or any(h.exam for h in self.headings) or any(EXAM.search(x) for x in labels)
        subject = next((h.text for h in reversed(self.headings) if not h.exam), None)
        context = " › ".join(x for x in [subject, *labels] if x and not EXAM.search(x))
        anchor = self.headings[-1].anchor if self.headings else ""
        section = anchor if _ANCHOR.match(anchor) else ""
        for number, sentence in enumerate(_sentences(pieces)):
            sentence = _trim(sentence)
            split = _split_term(sentence) if number == 0 else None
            if _term_text(split) == "exam":
                # "- Exam: …" in a list is not an exam tip box, but it says the same (and so do
                # the sentences after it).
                sentence, exam = split[1], True
                split = _split_term(sentence)
            if _term_text(split) in _NOT_TERMS:
                split = None
            line = block.token.map[0] + sentence[0].line
            yield Unit(sentence, split, context, exam, section, line)
