"""
Cards suggested from what a note emphasises (issue 21). Pure functions: a `Note` in, a list of
`Suggestion`s out; no database, no model of language, only rules over the Markdown tree that
the lesson itself is rendered from (`portal.markdown.PARSER`), so a suggestion's section is the
anchor the lesson's heading gets.

The rules, each over one sentence or bullet (a "unit"), with the nearest heading and the labels
above the unit as its context ("Aurora backups › Automated backups"):

- definition: a unit shaped "Term: definition" (a term of at most six words; not "Note:",
  "Tip:" and the like) is a basic card, "Aurora backups › Automated backups — Retention?"
  answered "1–35 days". When only part of the definition is bold, the bold is what the note
  stresses, and the unit is a cloze of it instead (rule "bold"), the term kept in view: one
  card, never two.
- bold: any other unit holding bold text is a cloze card of it, prefixed with its context:
  "Network access — controlled by {{c1::Security Groups}} (ports, …)". At most two deletions,
  the first two bold phrases in reading order that pass the quality rules (the others stay
  bold). A unit (nearly) all bold cannot be a cloze: it becomes a basic card asking its context,
  "Aurora database cloning › How it works?" answered "copy-on-write", or nothing without one.
- exam-anchor: a unit under a heading or label that mentions "exam", in an exam tip (`Exam: …`,
  `!!! exam`) or a bullet starting "Exam:": "Term: **bold**" is a cloze of the bold with the
  term in view, "Term: definition" without bold a reversed card (term ↔ definition), other bold
  a cloze. Each carries its anchor as its `exam` line, so it is studied in the exam scope.

Never from a heading, the epigraph (block quotes before the first `---` or heading), code,
tables, or a label: a short all-bold line ("**Automated backups**"), a short line ending in ":"
before a list ("How it works:"), or such a line as a list item holding a list. A label, and any
list item holding a list, is context for what is under it. Dropped: a card whose answer is in
its own prompt, one saying what an existing card says (normalized text, with or without its
context), a second suggestion alike, two asking one front with different answers, one that
`check_card` refuses, and any past the note's card limit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

from flashcards.cards import BASIC, CLOZE, EXAM_MAX, REVERSED, CardsError, CardSpec, check_card
from notes.parser import MAX_CARDS, Note
from portal.markdown import PARSER

BOLD = "bold"
DEFINITION = "definition"
EXAM_ANCHOR = "exam-anchor"
# How the admin names each rule to an instructor deciding on a suggestion.
RULE_NAMES = {BOLD: "bold phrase", DEFINITION: "term: definition", EXAM_ANCHOR: "exam anchor"}

MAX_TERM_WORDS = 6
MAX_TERM_LENGTH = 60
MAX_LABEL_WORDS = 8
MAX_DELETIONS = 2
MAX_CANDIDATES = 6
# A bold phrase holding this share of its unit's letters and digits is the whole sentence:
# blanking it would leave nothing to recall it from.
WHOLE_SHARE = 0.8
_EXAM = re.compile(r"\bexams?\b", re.IGNORECASE)
_ANCHOR = re.compile(r"^[-a-z0-9_.]+$")  # a card's section, as flashcards.cards checks it
_CLOZE_MARK = re.compile(r"\{\{c[0-9]+::(?P<text>.*?)(?:::.*?)?\}\}", re.DOTALL)
# Where a sentence may end: after . ! or ? (and a closing quote), before white space.
_SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*(\s+|$)")
# "Note: …" introduces a remark; it does not define a note.
_NOT_TERMS = {"note", "notes", "tip", "hint", "warning", "caution", "important", "example", "nb"}
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "cf", "approx", "incl", "no", "ca"}


@dataclass(frozen=True)
class Suggestion:
    """One proposed card, with where it came from and the rule that made it.

    `key` names the unit and rule, not the wording of the card: it stays the same while the
    source sentence (and its heading and labels) do, so a rejected suggestion can be recognised
    on the next import, and changes when the sentence does.
    """

    kind: str
    front: str
    back: str
    section: str
    rule: str
    source: str
    key: str
    line: int
    exam: str = ""

    def card(self) -> CardSpec:
        return CardSpec(
            kind=self.kind,
            front=self.front,
            back=self.back,
            section=self.section,
            exam=self.exam,
            line=self.line,
        )


def suggest_cards(
    note: Note, *, existing: Iterable[CardSpec] = (), line_numbers: Sequence[int] | None = None
) -> list[Suggestion]:
    """The cards a note's own emphasis suggests, in the note's order.

    `existing` are the lesson's cards (the note's own cards are always counted); a suggestion
    saying what one of them says is left out. `line_numbers` gives the note's line of each line
    of `note.body` (`body_line_numbers`); without it, lines are counted in the body.
    """
    written = {
        _normal(_fact(card.kind, card.front, card.back)) for card in [*note.cards, *existing]
    }
    seen: set[str] = set()
    walker = _Walker(line_numbers)
    walker.walk(_blocks(PARSER.parse(note.body, {})), labels=(), exam=False, top=True)
    suggestions = []
    keys = set()
    room = MAX_CARDS - len(note.cards)  # a note's cards, suggested ones too, have its limit
    for suggestion, core in walker.found:
        if len(suggestions) >= room:
            break
        fact = _normal(_fact(suggestion.kind, suggestion.front, suggestion.back))
        # Against the cards written, also without the context: "Term: definition" may have been
        # written as it stands. Between suggestions, the context tells two alike apart (the
        # seed's "Retention: **1–35 days**" under RDS and under Aurora).
        if suggestion.key in keys or fact in seen or {fact, core} & written:
            continue
        try:
            check_card(suggestion.card())
        except CardsError:
            continue
        keys.add(suggestion.key)
        seen.add(fact)
        suggestions.append(suggestion)
    # One question with two answers ("Steps?" asked of two all-bold steps) is no card at all.
    answers: dict[str, set[str]] = {}
    for suggestion in suggestions:
        answers.setdefault(suggestion.front, set()).add(suggestion.back)
    return [s for s in suggestions if s.kind == CLOZE or len(answers[s.front]) == 1]


def body_line_numbers(text: str, body: str) -> list[int]:
    """The line of the note `text` each line of its parsed `body` came from (1-based).

    The body is the note's text after its title and fields, less the flashcards and questions
    blocks, a decision tree's block replaced by its `[[tree:…]]` marker. Matching from the end
    pairs each body line with the last note line like it before the next one's.
    """
    lines = text.split("\n")
    numbers: list[int] = []
    index = len(lines) - 1
    for line in reversed(body.split("\n")):
        wanted = "```decision-tree" if line.startswith("[[tree:") else line.strip()
        while index > 0 and not _same_line(lines[index], wanted):
            index -= 1
        numbers.append(index + 1)
        index = max(index - 1, 0)
    return numbers[::-1]


def _same_line(line: str, wanted: str) -> bool:
    stripped = line.strip()
    return stripped == wanted or (wanted.startswith("```") and stripped.startswith(wanted))


# The Markdown tree ---------------------------------------------------------------------------


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


@dataclass(frozen=True)
class _Piece:
    """A run of a unit's inline text: plain text, a bold phrase, or other markup kept as is."""

    kind: str  # "text", "bold" or "other"
    plain: str
    markdown: str = ""
    line: int = 0  # lines into its block

    def with_plain(self, plain: str) -> _Piece:
        # Not dataclasses.replace: this runs for every sentence of the note, and that is slow.
        return _Piece(self.kind, plain, self.markdown, self.line)

    @property
    def md(self) -> str:
        return _escape(self.plain) if self.kind == "text" else self.markdown


def _pieces(children: list[Token], line: int = 0) -> list[_Piece]:
    pieces: list[_Piece] = []
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
            pieces.append(_Piece("bold", _plain(inner), _md(inner), line))
            line += sum(token.type in ("softbreak", "hardbreak") for token in inside)
            index = end
            continue
        if kind == "text":
            pieces.append(_Piece("text", child.content, line=line))
        elif kind in ("softbreak", "hardbreak"):
            pieces.append(_Piece("text", " ", line=line))
            line += 1
        elif kind == "code_inline":
            code = f"{child.markup}{child.content}{child.markup}"
            pieces.append(_Piece("other", child.content, code, line))
        elif kind in ("em_open", "em_close"):
            pieces.append(_Piece("other", "", "*", line))
        elif kind == "link_open":
            links.append(_address(child.attrGet("href")))
            pieces.append(_Piece("other", "", "[", line))
        elif kind == "link_close":
            pieces.append(_Piece("other", "", f"]({links.pop() if links else ''})", line))
        elif kind == "image":
            image = f"![{_escape(child.content)}]({_address(child.attrGet('src'))})"
            pieces.append(_Piece("other", "", image, line))
        elif kind == "html_inline":
            pieces.append(_Piece("other", "", child.content, line))
        index += 1
    return pieces


def _address(url) -> str:
    url = str(url or "")
    return f"<{url}>" if re.search(r"[\s()<>]", url) else url


def _ahead(pieces: list[_Piece], start: int) -> str:
    """The text just after pieces[start - 1]: enough to see how the next sentence starts,
    without joining the rest of a long paragraph at every full stop."""
    return _plain(pieces[start : start + 3])


def _plain(pieces: list[_Piece]) -> str:
    return "".join(piece.plain for piece in pieces)


def _md(pieces: list[_Piece]) -> str:
    return "".join(f"**{p.md}**" if p.kind == "bold" else p.md for p in pieces)


def _escape(text: str) -> str:
    """Plain text as Markdown that reads back as the same text."""
    text = re.sub(r"([\\`*\[\]<{}])", r"\\\1", text)
    text = re.sub(r"&(?=#?[A-Za-z0-9]+;)", r"\\&", text)
    return re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())


def _normal(text: str) -> str:
    """Text for comparing cards: cloze deletions as their text, no markup, case or punctuation."""
    return " ".join(_words(_CLOZE_MARK.sub(lambda m: m["text"], text)))


def _fact(kind: str, front: str, back: str) -> str:
    return front if kind == CLOZE else f"{front} {back}"


def _within(part: str, whole: str) -> bool:
    return bool(part) and f" {_normal(part)} " in f" {_normal(whole)} "


def _letters(text: str) -> int:
    return sum(character.isalnum() for character in text)


# Units: sentences and bullets ----------------------------------------------------------------


def _sentences(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Split a paragraph's pieces into sentences, at an end mark followed by white space and a
    capital (or bold or code), never inside bold or code, nor after "e.g." and its kind."""
    sentences: list[list[_Piece]] = [[]]
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
    return [sentence for sentence in sentences if _plain(sentence).strip()]


def _split_term(pieces: list[_Piece]) -> tuple[list[_Piece], list[_Piece]] | None:
    """A "Term: definition" unit's term and definition, or None when it is not one."""
    for index, piece in enumerate(pieces):
        if piece.kind == "bold" and piece.plain.rstrip().endswith(":"):
            bold = _Piece(
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
    words = _plain(term).split()
    too_long = len(words) > MAX_TERM_WORDS or len(_plain(term)) > MAX_TERM_LENGTH
    if (
        not words
        or too_long
        or re.search(r"[.!?;]", _plain(term))
        or not _letters(_plain(definition))
    ):
        return None
    return term, _trim(definition)


def _trim(pieces: list[_Piece]) -> list[_Piece]:
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


def _is_label(pieces: list[_Piece], *, before_list: bool) -> bool:
    """A line that names what follows rather than saying something: all bold and short, or
    short and ending in ":" before a list."""
    plain = _plain(pieces).strip()
    if not plain or len(plain.split()) > MAX_LABEL_WORDS:
        return False
    all_bold = all(p.kind == "bold" or not p.plain.strip(" :") for p in pieces)
    if all_bold and not re.search(r"[.!?]$", plain):
        return True
    return before_list and plain.endswith(":")


def _label_text(pieces: list[_Piece]) -> str:
    return " ".join(_plain(pieces).split()).rstrip(":").strip()


# The walk ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Heading:
    level: int
    text: str
    anchor: str

    @property
    def exam(self) -> bool:
        return bool(_EXAM.search(self.text))


class _Walker:
    """Goes through the blocks in order, knowing the headings and labels above each unit."""

    def __init__(self, line_numbers: Sequence[int] | None) -> None:
        self.line_numbers = line_numbers
        self.headings: list[_Heading] = []
        self.started = False  # past the epigraph: a `---` or a heading has been seen
        self.found: list[tuple[Suggestion, str]] = []

    def walk(self, blocks: list[_Block], *, labels: tuple[str, ...], exam: bool, top: bool):
        label: str | None = None
        for index, block in enumerate(blocks):
            following = blocks[index + 1].type if index + 1 < len(blocks) else ""
            if block.type in ("bullet_list", "ordered_list"):
                for item in block.children:
                    self.item(item, labels=(*labels, label) if label else labels, exam=exam)
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
                    self.unit(pieces, block, labels=labels, exam=exam)
            elif block.type == "blockquote" and (self.started or not top):
                self.walk(block.children, labels=labels, exam=exam, top=False)
            elif block.type == "admonition":
                box = "exam" in (block.token.attrGet("class") or "").split()
                self.walk(block.children, labels=labels, exam=exam or box, top=False)

    def heading(self, block: _Block) -> None:
        self.started = True
        level = int(block.token.tag[1])
        while self.headings and self.headings[-1].level >= level:
            self.headings.pop()
        text = " ".join(_plain(_pieces(block.inline.children or [])).split())
        self.headings.append(_Heading(level, text, block.token.attrGet("id") or ""))

    def item(self, item: _Block, *, labels: tuple[str, ...], exam: bool) -> None:
        children = item.children
        if not children or children[0].type != "paragraph":
            self.walk(children, labels=labels, exam=exam, top=False)
            return
        pieces = _pieces(children[0].inline.children or [])
        holds_list = any(child.type.endswith("_list") for child in children)
        if not (holds_list and _is_label(pieces, before_list=True)):
            self.unit(pieces, children[0], labels=labels, exam=exam)
        # The item's text is the context of what it holds: "IAM-based authentication › …".
        inner = (*labels, _label_text(pieces)) if holds_list else labels
        self.walk(children[1:], labels=inner, exam=exam, top=False)

    def unit(self, pieces, block: _Block, *, labels, exam: bool) -> None:
        exam = exam or any(h.exam for h in self.headings) or any(_EXAM.search(x) for x in labels)
        subject = next((h.text for h in reversed(self.headings) if not h.exam), None)
        context = " › ".join(x for x in [subject, *labels] if x and not _EXAM.search(x))
        for number, sentence in enumerate(_sentences(pieces)):
            sentence = _trim(sentence)
            split = _split_term(sentence) if number == 0 else None
            if split and _plain(split[0]).strip().casefold() == "exam":
                # "- Exam: …" in a list is not an exam tip box, but it says the same.
                sentence, exam = split[1], True
                split = _split_term(sentence)
            if split and _plain(split[0]).strip().casefold() in _NOT_TERMS:
                split = None
            made = (self.exam_anchor if exam else self.emphasis)(sentence, split, context)
            if made is None:
                continue
            kind, front, back, rule, core = made
            body_line = block.token.map[0] + sentence[0].line
            source = _md(sentence)
            plain = " ".join(_plain(sentence).split())
            key = f"{rule}\x00{_normal(context)}\x00{' '.join(source.casefold().split())}"
            suggestion = Suggestion(
                kind=kind,
                front=front,
                back=back,
                section=self._section(),
                rule=rule,
                source=source,
                key=hashlib.sha256(key.encode()).hexdigest()[:32],
                line=self.line_numbers[body_line] if self.line_numbers else body_line + 1,
                exam=_clip(plain) if rule == EXAM_ANCHOR else "",
            )
            self.found.append((suggestion, _normal(core)))

    def _section(self) -> str:
        anchor = self.headings[-1].anchor if self.headings else ""
        return anchor if _ANCHOR.match(anchor) else ""

    def emphasis(self, sentence, split, context):
        """The bold and definition rules; (kind, front, back, rule, core fact) or None."""
        lead = f"{context} — " if context else ""
        if split is not None:
            term, definition = split
            term_md = _md_unbolded(term).strip()
            bold = [p for p in definition if p.kind == "bold" and _letters(p.plain)]
            if not bold or _whole(bold, definition):
                back = _md_unbolded(definition).rstrip(".").strip()
                front = f"{lead}{term_md}?"
                if _within(back, front):
                    return None
                return BASIC, front, back, DEFINITION, f"{term_md} {back}"
            cloze = _cloze(definition, f"{lead}{term_md}: ")
            if cloze is None:
                return None
            return CLOZE, cloze, "", BOLD, cloze.removeprefix(lead)
        cloze = _cloze(sentence, lead)
        if cloze is not None:
            return CLOZE, cloze, "", BOLD, cloze.removeprefix(lead)
        bold = [p for p in sentence if p.kind == "bold" and _letters(p.plain)]
        if context and bold and _whole(bold, sentence):
            # All bold: the context is the question. "Aurora database cloning › How it works?"
            back = _md_unbolded(sentence).rstrip(".").strip()
            front = f"{context}?"
            if not _within(back, front):
                return BASIC, front, back, BOLD, back
        return None

    def exam_anchor(self, sentence, split, context):
        """The exam-anchor rule; (kind, front, back, rule, core fact) or None."""
        lead = f"{context} — " if context else ""
        if split is not None:
            term, definition = split
            term_md = _md_unbolded(term).strip()
            if any(p.kind == "bold" for p in definition):
                cloze = _cloze(definition, f"{lead}{term_md}: ", whole_ok=True)
                if cloze is not None:
                    return CLOZE, cloze, "", EXAM_ANCHOR, cloze.removeprefix(lead)
            front, back = f"{lead}{term_md}", _md_unbolded(definition).strip()
            if _within(back, front) or _within(term_md, back):
                return None
            return REVERSED, front, back, EXAM_ANCHOR, f"{term_md} {back}"
        cloze = _cloze(sentence, lead)
        if cloze is not None:
            return CLOZE, cloze, "", EXAM_ANCHOR, cloze.removeprefix(lead)
        return None


def _md_unbolded(pieces: list[_Piece]) -> str:
    return "".join(piece.md for piece in pieces)


def _whole(chosen: list[_Piece], pieces: list[_Piece]) -> bool:
    return sum(_letters(p.plain) for p in chosen) >= WHOLE_SHARE * _letters(_plain(pieces))


def _cloze(pieces: list[_Piece], lead: str, *, whole_ok: bool = False) -> str | None:
    """`lead` and the pieces with their first two bold phrases blanked, or None when none can
    be: a phrase whose text the rest of the card shows, or that would break the deletion's own
    syntax, is left bold; all of it blanked (with nothing in `lead` to recall it from) is not a
    cloze."""
    chosen: list[int] = []
    candidates = [i for i, p in enumerate(pieces) if p.kind == "bold" and _letters(p.plain)]
    # Only the first few are weighed: each costs a pass over the sentence.
    for index in candidates[:MAX_CANDIDATES]:
        piece = pieces[index]
        if len(chosen) == MAX_DELETIONS or re.search(r"::|\{\{|\}\}", piece.md):
            continue
        rest = lead + _plain(pieces[:index] + pieces[index + 1 :])
        if not _within(piece.plain, rest):
            chosen.append(index)
    if not chosen or (_whole([pieces[i] for i in chosen], pieces) and not whole_ok):
        return None
    parts = []
    for index, piece in enumerate(pieces):
        if index in chosen:
            parts.append(f"{{{{c{chosen.index(index) + 1}::{piece.md}}}}}")
        else:
            parts.append(f"**{piece.md}**" if piece.kind == "bold" else piece.md)
    return lead + "".join(parts).strip()


def _clip(text: str) -> str:
    return text if len(text) <= EXAM_MAX else text[: EXAM_MAX - 1].rsplit(" ", 1)[0] + "…"
