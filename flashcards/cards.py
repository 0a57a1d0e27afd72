"""
Flashcards as text, and the prompts each card is studied through. Pure functions.

A note's ```flashcards block (and the admin's fields) describe cards:

    tags: backups, rds                  (defaults for the block, before the first card)
    section: automated-backups

    Q: How long can RDS keep automated backups?
    A: 1 to 35 days.
    section: automated-backups-on-rds
    tags: retention
    exam: RDS automated backups are kept 1 to 35 days.

    R: Aurora cloning
    A: A fast copy of a cluster that shares storage through copy-on-write.

    C: Restoring into Aurora MySQL from S3 needs {{c1::Percona XtraBackup}}.

`Q:` is a basic card, `R:` is studied in both directions, `C:` is a cloze card: every distinct
`{{cN::text}}` (or `{{cN::text::hint}}`) deletion becomes its own prompt. `A:` is the back
(for a cloze, an optional extra). Fields may run over several lines. `exam:` (one line, a
card's own) names the exam anchor the card tests: learners see it with the answer and can
study exam cards alone.

A ```questions block (flashcards/questions.py) writes cards of a fourth kind, "question": an
exam-style question whose front is its stem and whose back lists its options
(flashcards/options.py).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from flashcards.options import OptionsError, parse_options
from portal.markdown import nesting_problem
from portal.problems import Problem, ProblemList

BASIC = "basic"
REVERSED = "reversed"
CLOZE = "cloze"
QUESTION = "question"
KIND_BY_PREFIX = {"Q": BASIC, "R": REVERSED, "C": CLOZE}

_CARD = re.compile(r"^(?P<prefix>[QRC]):\s?(?P<text>.*)$")
_FIELD = re.compile(r"^(?P<key>A|tags|section|id|exam):\s?(?P<value>.*)$")
# A field line under a question (no "A:": its options are its answer).
QUESTION_FIELD = re.compile(r"^(?P<key>tags|section|id|exam):\s?(?P<value>.*)$")
EXAM_MAX = 200  # characters: Card.exam's length
# A deletion's opening. Its number: ASCII digits, at most three (it becomes a prompt's
# ordinal, a small integer column; "\d" would also take other scripts' digits and thousands of
# them, which int() refuses).
_CLOZE_OPENING = re.compile(r"\{\{c(?P<number>[0-9]{1,3})::")
_TAG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ANCHOR = re.compile(r"^[-a-z0-9_.]+$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Deletion:
    """One `{{cN::text}}` or `{{cN::text::hint}}` in a cloze card's text, at [start, end)."""

    start: int
    end: int
    number: int
    text: str
    hint: str | None


def cloze_deletions(text: str) -> list[Deletion]:
    """Every deletion in `text`, in order. A deletion's text runs to its first `::` (then the
    hint) or `}}`, whichever comes first, the hint to the first `}}`.

    Read in one pass rather than with one regular expression: the expression (two lazy groups
    and an optional one) backtracked in cubic time on text full of openings that never close,
    and 6 KB of `{{c1::` took 15 s."""
    found = []
    position = 0
    while (opening := _CLOZE_OPENING.search(text, position)) is not None:
        body = opening.end()
        close = text.find("}}", body)
        if close == -1:
            break  # nothing closes after here, so no later opening can close either
        split = text.find("::", body, close)
        if split == -1:
            inner, hint = text[body:close], None
        else:
            inner, hint = text[body:split], text[split + 2 : close]
        found.append(Deletion(opening.start(), close + 2, int(opening["number"]), inner, hint))
        position = close + 2
    return found


def cloze_replace(text: str, replacement) -> str:
    """`text` with each deletion replaced by `replacement(deletion)`."""
    parts, last = [], 0
    for deletion in cloze_deletions(text):
        parts += [text[last : deletion.start], replacement(deletion)]
        last = deletion.end
    parts.append(text[last:])
    return "".join(parts)


class CardsError(ProblemList):
    """A flashcards block (or one card) that cannot be studied as written: every problem found,
    one per line at fault."""


@dataclass
class CardSpec:
    kind: str
    front: str
    back: str = ""
    tags: list[str] = field(default_factory=list)
    section: str = ""
    key: str = ""
    exam: str = ""  # the exam anchor it tests, as one line of plain text
    line: int | None = None


@dataclass(frozen=True)
class PromptSpec:
    """One thing a learner is asked: Markdown for both faces, numbered within its card."""

    ordinal: int
    front: str
    back: str

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.front}\x00{self.back}".encode()).hexdigest()[:32]


def parse_cards(text: str, *, first_line: int = 1) -> list[CardSpec]:
    """Parse a flashcards block. Raises CardsError naming every line at fault, so that an author
    fixes a block in one round rather than one error per import."""
    default_tags: list[str] = []
    default_section = ""
    cards: list[CardSpec] = []
    card: CardSpec | None = None
    current: str | None = None  # the multi-line field being filled: "front" or "back"
    problems: list[Problem] = []

    for offset, raw in enumerate(text.split("\n")):
        number = first_line + offset
        line = raw.rstrip()
        try:
            if card_match := _CARD.match(line):
                card = CardSpec(
                    kind=KIND_BY_PREFIX[card_match["prefix"]],
                    front=card_match["text"],
                    tags=list(default_tags),
                    section=default_section,
                    line=number,
                )
                cards.append(card)
                current = "front"
                continue
            field_match = _FIELD.match(line)
            if field_match and (card is not None or field_match["key"] in ("tags", "section")):
                key, value = field_match["key"], field_match["value"].strip()
                if key == "tags":
                    tags = parse_tags(value, number)
                    if card is None:
                        default_tags = tags
                    else:
                        card.tags = list(dict.fromkeys([*card.tags, *tags]))
                elif key == "section":
                    parse_section(value, number)
                    if card is None:
                        default_section = value
                    else:
                        card.section = value
                elif key == "id":
                    card.key = parse_key(value, number)
                elif key == "exam":
                    if card.exam:
                        raise CardsError.one("a card has two 'exam:' lines", number)
                    card.exam = parse_exam(value, number)
                else:  # A:
                    if card.back:
                        raise CardsError.one("a card has two 'A:' lines", number)
                    card.back = value
                    current = "back"
                if key != "A":
                    current = None
                continue
            if card is None:
                if field_match and field_match["key"] == "exam":
                    # Unlike tags and section, an exam anchor is one card's, never the block's.
                    raise CardsError.one("an 'exam:' line belongs under the card it is for", number)
                if line.strip():
                    raise CardsError.one(
                        "expected a card: 'Q: front', 'R: front' or 'C: text with {{c1::cloze}}'",
                        number,
                    )
                continue
            if current is None:
                if line.strip():
                    raise CardsError.one(
                        "text after a card's tags or section; start a new card", number
                    )
                continue
            setattr(card, current, f"{getattr(card, current)}\n{raw}")
        except CardsError as error:
            # Keep going: the rest of the block is read as if this line were not there.
            problems.extend(error.problems)

    for card in cards:
        card.front = card.front.strip()
        card.back = card.back.strip()
        try:
            check_card(card)
        except CardsError as error:
            problems.extend(error.problems)
    if problems:
        raise CardsError(sorted(problems, key=lambda problem: problem.line or 0))
    return cards


def parse_tags(value: str, number: int | None) -> list[str]:
    tags = [tag.strip().lower() for tag in value.split(",") if tag.strip()]
    for tag in tags:
        if not _TAG.match(tag):
            raise CardsError.one(f"tag {tag!r} may hold only letters, digits and hyphens", number)
    return tags


def parse_section(value: str, number: int | None) -> str:
    if not _ANCHOR.match(value):
        raise CardsError.one(f"section {value!r} must be a heading anchor", number)
    return value


def parse_key(value: str, number: int | None) -> str:
    if not _KEY.match(value):
        raise CardsError.one(f"id {value!r} must be lowercase letters, digits, - or _", number)
    return value


def parse_exam(value: str, number: int | None) -> str:
    if not value:
        raise CardsError.one("the exam line is empty: name the exam anchor the card tests", number)
    if len(value) > EXAM_MAX:
        raise CardsError.one(
            f"the exam line is {len(value)} characters long; at most {EXAM_MAX}", number
        )
    return value


def check_card(card: CardSpec) -> None:
    """Raise CardsError if the card cannot be studied as written."""
    if not card.front:
        what = "question's stem" if card.kind == QUESTION else "card's front"
        raise CardsError.one(f"the {what} is empty", card.line)
    if card.kind == QUESTION:
        try:
            parse_options(card.back)
        except OptionsError as error:
            raise CardsError(
                Problem(problem.message, card.line) for problem in error.problems
            ) from None
    if card.kind in (BASIC, REVERSED) and not card.back:
        raise CardsError.one("the card has no back: add an 'A:' line", card.line)
    if card.kind == CLOZE and not cloze_numbers(card.front):
        raise CardsError.one("a cloze card needs at least one {{c1::...}} deletion", card.line)
    if "{{" in cloze_replace(card.front, lambda deletion: "") or (
        card.kind != CLOZE and "{{c" in card.back
    ):
        raise CardsError.one("a '{{' that is not a well-formed {{cN::...}} deletion", card.line)
    for face, text in (("front", card.front), ("back", card.back)):
        too_deep = nesting_problem(text)
        if too_deep is not None:
            raise CardsError.one(f"the card's {face}: {too_deep.message}", card.line)


def cloze_numbers(text: str) -> list[int]:
    return sorted({deletion.number for deletion in cloze_deletions(text)})


def prompts_for(kind: str, front: str, back: str) -> list[PromptSpec]:
    """The prompts a card is studied through, each as Markdown for its two faces."""
    if kind in (BASIC, QUESTION):
        # A question's one prompt carries its options as its back (rendered by card_sync).
        return [PromptSpec(1, front, back)]
    if kind == REVERSED:
        return [PromptSpec(1, front, back), PromptSpec(2, back, front)]
    prompts = []
    for number in cloze_numbers(front):
        question = cloze_replace(front, lambda d, n=number: _cloze_face(d, n, reveal=False))
        answer = cloze_replace(front, lambda d, n=number: _cloze_face(d, n, reveal=True))
        prompts.append(PromptSpec(number, question, f"{answer}\n\n{back}".strip()))
    return prompts


def _cloze_face(deletion: Deletion, number: int, *, reveal: bool) -> str:
    if deletion.number != number:
        return deletion.text  # other deletions read as plain text
    if reveal:
        return f"<mark>{deletion.text}</mark>"
    return f"<mark>[{deletion.hint or '…'}]</mark>"


def content_key(card: CardSpec) -> str:
    """What a card says, for spotting an unchanged card on re-import."""
    raw = f"{card.kind}\x00{card.front}\x00{card.back}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]
