"""
Cards suggested from what a note emphasises (issue 21). Pure functions: a `Note` in, a list of
`Suggestion`s out; no database, no model of language, only rules over the Markdown tree that
the lesson itself is rendered from, so a suggestion's section is the anchor the lesson's
heading gets.

The rules, each over one sentence or bullet (a "unit"), with the nearest heading and the labels
above the unit as its context ("Aurora backups › Automated backups"):

- definition: a unit shaped "Term: definition" (a term of at most six words; not "Note:",
  "Tip:" and the like) is a basic card, "Aurora backups › Automated backups — Retention?"
  answered "1–35 days". When only part of the definition is bold, the bold is what the note
  stresses, and the unit is a cloze of it instead (rule "bold"), the term kept in view: one
  card, never two. A term that starts by saying something ("Useful for …", "Can be …") is half
  a sentence: its definition is the cloze, the half sentence in view.
- bold: any other unit holding bold text is a cloze card of it, prefixed with its context:
  "Network access — controlled by {{c1::Security Groups}} (ports, …)". At most two deletions,
  the first two bold phrases in reading order that pass the quality rules (the others stay
  bold). A unit (nearly) all bold cannot be a cloze: it becomes a basic card asking its context,
  "Aurora database cloning › How it works?" answered "copy-on-write", or nothing without one.
- exam-anchor: a unit under a heading or label that mentions "exam", in an exam tip (`Exam: …`,
  `!!! exam`) or a bullet starting "Exam:": "Term: **bold**" is a cloze of the bold with the
  term in view, "Term: definition" without bold a reversed card (term ↔ definition), other bold
  a cloze. Each carries its anchor as its `exam` line, so it is studied in the exam scope.

Units (sentences and bullets, with their context) come from notes/units.py, which says what
is never one: headings, the epigraph, code, tables and labels. Dropped here: a card whose answer
is in its own prompt, one saying what an existing card says (normalized text, with or without
its context), a second suggestion alike, one from the body asking what an exam anchor's card
asks, two asking one front with different answers, one that `check_card` refuses, and any past
the note's card limit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from markdown_it.token import Token

from flashcards.cards import (
    BASIC,
    CLOZE,
    EXAM_MAX,
    REVERSED,
    CardsError,
    CardSpec,
    check_card,
    cloze_deletions,
    cloze_replace,
)
from notes.parser import MAX_CARDS, Note
from notes.units import Piece, Unit, letters, markdown, note_units, plain, unbolded

BOLD = "bold"
DEFINITION = "definition"
EXAM_ANCHOR = "exam-anchor"
# How the admin names each rule to an instructor deciding on a suggestion.
RULE_NAMES = {BOLD: "bold phrase", DEFINITION: "term: definition", EXAM_ANCHOR: "exam anchor"}

MAX_DELETIONS = 2
MAX_CANDIDATES = 6
MAX_ANCHORS_ALIKE = 20
# A bold phrase holding this share of its unit's letters and digits is the whole sentence:
# blanking it would leave nothing to recall it from.
WHOLE_SHARE = 0.8
# A term names a thing. One that starts by saying something of it ("Useful for …", "Can be …")
# is the first half of a sentence, and "Useful for X?" reads as a yes-or-no question: the
# definition is blanked instead, the half sentence kept in view.
_PREDICATES = {
    *("useful", "used", "good", "great", "best", "ideal", "handy", "helpful", "needed"),
    *("required", "necessary", "recommended", "can", "cannot", "can't", "must", "should"),
    *("may", "might", "will", "won't", "is", "are", "was", "were", "has", "have", "does"),
    *("do", "it's", "there's", "also", "always", "never", "only"),
}


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
    note: Note, *, existing: Iterable[CardSpec] = (), tokens: list[Token] | None = None
) -> list[Suggestion]:
    """The cards a note's own emphasis suggests, in the note's order, each at its line in the
    note's file.

    `existing` are the lesson's cards (the note's own cards are always counted); a suggestion
    saying what one of them says is left out. `tokens`: the body already parsed, if it is.
    """
    written = {
        _normal(_fact(card.kind, card.front, card.back)) for card in [*note.cards, *existing]
    }
    seen: set[str] = set()
    suggestions = []
    keys = set()
    room = MAX_CARDS - len(note.cards)  # a note's cards, suggested ones too, have its limit
    for unit in note_units(note.body, tokens=tokens):
        if len(suggestions) >= room:
            break
        made = _suggestion(unit, note.body_lines)
        if made is None:
            continue
        suggestion, core = made
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
    suggestions = _left_to_exam_anchors(suggestions)
    # One question with two answers ("Steps?" asked of two all-bold steps) is no card at all.
    answers: dict[str, set[str]] = {}
    for suggestion in suggestions:
        answers.setdefault(suggestion.front, set()).add(suggestion.back)
    return [s for s in suggestions if s.kind == CLOZE or len(answers[s.front]) == 1]


def _left_to_exam_anchors(suggestions: list[Suggestion]) -> list[Suggestion]:
    """The suggestions less those from the body that test what an exam anchor tests: the same
    answer (of two words or more: "0" or "yes" answer many questions), asked with most of the
    anchor's other words ("**Cannot be disabled**" under Aurora › Automated backups, and the
    anchor "Aurora automated backups: **cannot be disabled**"). The anchor's card is kept: it
    carries the exam line."""
    anchors: dict[str, list[set[str]]] = {}  # by answer: the words each anchor asks with
    for suggestion in suggestions:
        answer = _answer(suggestion)
        if suggestion.rule == EXAM_ANCHOR and len(answer.split()) >= 2:
            asked = set(_words(_fact(suggestion.kind, suggestion.front, suggestion.back)))
            alike = anchors.setdefault(answer, [])
            # A few are enough to compare with: a note of thousands of anchors all answered
            # "can be disabled" must not cost a comparison of every card with every anchor.
            if len(alike) < MAX_ANCHORS_ALIKE:
                alike.append(asked - set(answer.split()))
    if not anchors:
        return suggestions
    kept = []
    for suggestion in suggestions:
        alike = [] if suggestion.rule == EXAM_ANCHOR else anchors.get(_answer(suggestion), [])
        words = set(_words(_fact(suggestion.kind, suggestion.front, suggestion.back)))
        if not any(2 * len(asked & words) >= len(asked) for asked in alike):
            kept.append(suggestion)
    return kept


def _answer(suggestion: Suggestion) -> str:
    """What a card asks to recall, normalized: a cloze's deletions, another card's back."""
    if suggestion.kind == CLOZE:
        return _normal(" ".join(d.text for d in cloze_deletions(suggestion.front)))
    return _normal(suggestion.back)


def _suggestion(unit: Unit, body_lines: tuple[int, ...]) -> tuple[Suggestion, str] | None:
    """The card a unit suggests and its fact without context, or None."""
    rule_of = _exam_anchor if unit.exam else _emphasis
    made = rule_of(unit.pieces, unit.term, unit.context)
    if made is None:
        return None
    kind, front, back, rule, core = made
    source = markdown(unit.pieces)
    text = " ".join(plain(unit.pieces).split())
    key = f"{rule}\x00{_normal(unit.context)}\x00{' '.join(source.casefold().split())}"
    suggestion = Suggestion(
        kind=kind,
        front=front,
        back=back,
        section=unit.section,
        rule=rule,
        source=source,
        key=hashlib.sha256(key.encode()).hexdigest()[:32],
        # A Note built by hand, not parsed from a file, has no line numbers: count in the body.
        line=body_lines[unit.line] if unit.line < len(body_lines) else unit.line + 1,
        exam=_clip(text) if rule == EXAM_ANCHOR else "",
    )
    return suggestion, _normal(core)


# The rules -----------------------------------------------------------------------------------


def _emphasis(sentence: list[Piece], split, context: str):
    """The bold and definition rules; (kind, front, back, rule, core fact) or None."""
    lead = f"{context} — " if context else ""
    if split is not None:
        term, definition = split
        term_md = unbolded(term).strip()
        bold = [p for p in definition if p.kind == "bold" and letters(p.plain)]
        if not bold and _predicate(term):
            return _definition_cloze(term_md, definition, lead, DEFINITION)
        if not bold or _whole(bold, definition):
            back = unbolded(definition).rstrip(".").strip()
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
    bold = [p for p in sentence if p.kind == "bold" and letters(p.plain)]
    if context and bold and _whole(bold, sentence):
        # All bold: the context is the question. "Aurora database cloning › How it works?"
        back = unbolded(sentence).rstrip(".").strip()
        front = f"{context}?"
        if not _within(back, front):
            return BASIC, front, back, BOLD, back
    return None


def _exam_anchor(sentence: list[Piece], split, context: str):
    """The exam-anchor rule; (kind, front, back, rule, core fact) or None."""
    lead = f"{context} — " if context else ""
    if split is not None:
        term, definition = split
        term_md = unbolded(term).strip()
        if any(p.kind == "bold" for p in definition):
            cloze = _cloze(definition, f"{lead}{term_md}: ", whole_ok=True)
            if cloze is not None:
                return CLOZE, cloze, "", EXAM_ANCHOR, cloze.removeprefix(lead)
        if _predicate(term):
            return _definition_cloze(term_md, definition, lead, EXAM_ANCHOR)
        front, back = f"{lead}{term_md}", unbolded(definition).strip()
        if _within(back, front) or _within(term_md, back):
            return None
        return REVERSED, front, back, EXAM_ANCHOR, f"{term_md} {back}"
    cloze = _cloze(sentence, lead)
    if cloze is not None:
        return CLOZE, cloze, "", EXAM_ANCHOR, cloze.removeprefix(lead)
    return None


def _predicate(term: list[Piece]) -> bool:
    words = plain(term).split()
    return bool(words) and words[0].casefold().strip('“"(') in _PREDICATES


def _definition_cloze(term_md: str, definition: list[Piece], lead: str, rule: str):
    """ "Useful for X: {{c1::the definition}}": the definition blanked, the half sentence kept."""
    answer = unbolded(definition).rstrip(".").strip()
    if re.search(r"::|\{\{|\}\}", answer) or _within(answer, f"{lead}{term_md}"):
        return None
    core = f"{term_md}: {{{{c1::{answer}}}}}"
    return CLOZE, f"{lead}{core}", "", rule, core


def _whole(chosen: list[Piece], pieces: list[Piece]) -> bool:
    return sum(letters(p.plain) for p in chosen) >= WHOLE_SHARE * letters(plain(pieces))


def _cloze(pieces: list[Piece], lead: str, *, whole_ok: bool = False) -> str | None:
    """`lead` and the pieces with their first two bold phrases blanked, or None when none can
    be: a phrase whose text the rest of the card shows, or that would break the deletion's own
    syntax, is left bold; all of it blanked (with nothing in `lead` to recall it from) is not a
    cloze."""
    chosen: list[int] = []
    candidates = [i for i, p in enumerate(pieces) if p.kind == "bold" and letters(p.plain)]
    # Only the first few are weighed: each costs a pass over the sentence.
    for index in candidates[:MAX_CANDIDATES]:
        piece = pieces[index]
        if len(chosen) == MAX_DELETIONS or re.search(r"::|\{\{|\}\}", piece.md):
            continue
        rest = lead + plain(pieces[:index] + pieces[index + 1 :])
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


# Comparing cards -----------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())


def _normal(text: str) -> str:
    """Text for comparing cards: cloze deletions as their text, no markup, case or punctuation."""
    return " ".join(_words(cloze_replace(text, lambda deletion: deletion.text)))


def _fact(kind: str, front: str, back: str) -> str:
    return front if kind == CLOZE else f"{front} {back}"


def _within(part: str, whole: str) -> bool:
    return bool(part) and f" {_normal(part)} " in f" {_normal(whole)} "


def _clip(text: str) -> str:
    return text if len(text) <= EXAM_MAX else text[: EXAM_MAX - 1].rsplit(" ", 1)[0] + "…"
