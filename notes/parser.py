"""
Parsing study notes. Pure functions: bytes in, a `Note` or a `NoteError` out; no database.

A note looks like this (the shape of the seed notes):

    # 2026-01-06 — RDS & Aurora Backups, Restore, Cloning, and Security

    **Source:** Stephane Maarek — AWS SAA
    **Theme:** recovery mechanics + security controls for managed databases

    > An epigraph.

    ---

    ## Sections, separated by `---` lines ...

The first line is an H1 of "date — title" (the date is optional; an em dash, en dash or hyphen
with spaces separates them). Then `**Field:** value` lines: Source, Theme, and optionally Topic,
Summary, Slug, Status (draft or published) and Order (a whole number). Everything after the
fields, the epigraph included, is the lesson's Markdown body.

A fenced block whose info string is `decision-tree` defines a tree (see trees/definition.py);
in the body it is replaced by the marker `[[tree:slug]]`, so the tree appears where it was
written. A `flashcards` block defines cards for the lesson (see flashcards/cards.py) and a
`questions` block exam-style questions (flashcards/questions.py), which are cards too; both
are taken out of the body.
"""

from __future__ import annotations

import codecs
import datetime
import re
from dataclasses import dataclass

from django.utils.text import slugify

from flashcards.cards import CardsError, CardSpec, parse_cards
from flashcards.questions import parse_questions
from portal.markdown import nesting_problem
from portal.numbers import whole_number
from portal.problems import Problem, ProblemList
from trees.definition import DefinitionError, TreeBlock, parse_tree_block

MAX_NOTE_BYTES = 1024 * 1024
# What one note may hold (its questions count as cards). An import writes a note's lesson,
# trees and cards in one transaction, which holds the write lock (on SQLite the database's only
# one) for about 2 s at 5,000 cards on this project's machine; more, and writers that come
# meanwhile would wait for longer.
MAX_CARDS = 5_000
MAX_TREES = 100
MAX_TITLE_LENGTH = 200
MAX_FIELD_LENGTH = 300
STATUSES = ("draft", "published")
KNOWN_FIELDS = ("source", "theme", "topic", "summary", "slug", "status", "order")

_TITLE = re.compile(
    r"^#(?!#)\s*(?:(?P<date>\d{4}-\d{1,2}-\d{1,2})\s+[—–-]+(?:\s+|$))?(?P<title>.*?)\s*#*\s*$"
)
_FIELD = re.compile(r"^\*\*(?P<key>[A-Za-z][A-Za-z ]*?)\s*:\s*\*\*\s*(?P<value>.*?)\s*$")
_SLUG = re.compile(r"^[-a-z0-9_]+$")
# Few enough digits for a position.
_ORDER_DIGITS = 9
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")
TREE_BLOCK = "decision-tree"
# Byte order marks of encodings that are not UTF-8; UTF-32's first, as UTF-16 LE's is a prefix.
_OTHER_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
CARDS_BLOCK = "flashcards"
QUESTIONS_BLOCK = "questions"
# What each block of cards is called in a problem, and how it is parsed.
_CARD_BLOCKS = {
    CARDS_BLOCK: ("flashcards", parse_cards),
    QUESTIONS_BLOCK: ("questions", parse_questions),
}


class NoteError(ProblemList):
    """A note that cannot become a lesson, with the line at fault when there is one: one
    problem, or several when a tree block has several."""


@dataclass(frozen=True)
class Note:
    title: str
    slug: str
    body: str
    date: datetime.date | None = None
    source: str = ""
    theme: str = ""
    topic: str = ""
    summary: str = ""
    status: str | None = None
    order: int | None = None
    trees: tuple[TreeBlock, ...] = ()
    cards: tuple[CardSpec, ...] = ()
    # The note's line (1-based) of each line of `body`, as many as body.split("\n") gives: the
    # body has lost the title, fields and card blocks, so its own count is not the file's.
    body_lines: tuple[int, ...] = ()


def read_note(data: bytes) -> Note:
    """Decode and parse a note file's bytes."""
    return parse_note(decode_note(data))


def decode_note(data: bytes) -> str:
    """The note's text, or a NoteError saying why these bytes are not a note."""
    if len(data) > MAX_NOTE_BYTES:
        raise NoteError.one(
            f"is {len(data):,} bytes; a note may be at most {MAX_NOTE_BYTES:,} bytes (1 MB)"
        )
    if not data.strip():
        raise NoteError.one("the file is empty")
    for bom, encoding in _OTHER_BOMS:
        if data.startswith(bom):
            raise NoteError.one(f"is {encoding} text, not UTF-8; save it as UTF-8")
    if b"\x00" in data:
        raise NoteError.one("is a binary file, not a Markdown note (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NoteError.one(
            f"is not UTF-8 text (undecodable byte at offset {error.start}); save it as UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_note(text: str) -> Note:
    lines = text.split("\n")
    index = _skip_blank(lines, 0)
    if index == len(lines):
        raise NoteError.one("the file is empty")

    title, date = _parse_title(lines[index], index + 1)
    fields, index = _parse_fields(lines, index + 1)

    body_lines, numbers, trees, cards = _extract_blocks(lines[index:], first_number=index + 1)
    joined = "\n".join(body_lines)
    body = joined.strip()
    # The lines strip() took off the front, whose numbers go with them.
    dropped = joined[: len(joined) - len(joined.lstrip())].count("\n")
    if not body:
        raise NoteError.one("has a title but no content below it")
    if len(cards) > MAX_CARDS:
        raise NoteError.one(
            f"holds {len(cards):,} flashcards; a note may hold at most {MAX_CARDS:,}: "
            "split it into several notes",
            cards[MAX_CARDS].line,
        )
    if len(trees) > MAX_TREES:
        raise NoteError.one(
            f"holds {len(trees):,} decision trees; a note may hold at most {MAX_TREES}: "
            "split it into several notes",
            trees[MAX_TREES].line,
        )
    too_deep = nesting_problem("\n".join(body_lines))
    if too_deep is not None:
        raise NoteError.one(too_deep.message, numbers[too_deep.line - 1])

    slug = fields.get("slug") or slugify(title)
    if not slug:
        raise NoteError.one(f"the title {title!r} gives no usable slug; add a **Slug:** line", 1)
    return Note(
        title=title,
        slug=slug[:MAX_TITLE_LENGTH],
        body=body + "\n",
        date=date,
        source=fields.get("source", ""),
        theme=fields.get("theme", ""),
        topic=fields.get("topic", ""),
        summary=fields.get("summary", ""),
        status=fields.get("status"),
        order=int(fields["order"]) if "order" in fields else None,
        trees=tuple(trees),
        cards=tuple(cards),
        body_lines=_body_line_numbers(numbers, dropped, body),
    )


def _body_line_numbers(numbers: list[int], dropped: int, body: str) -> tuple[int, ...]:
    """The note's line of each line of the stripped `body` plus its final newline; the line
    after the last has the number after the last line's."""
    kept = numbers[dropped : dropped + body.count("\n") + 1]
    return (*kept, kept[-1] + 1)


def _skip_blank(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _parse_title(line: str, number: int) -> tuple[str, datetime.date | None]:
    match = _TITLE.match(line.strip())
    if not match:
        raise NoteError.one(
            "no title: a note must start with a heading like '# 2026-01-06 — Title'", number
        )
    title = match["title"].strip()
    if not title:
        raise NoteError.one("no title: the heading on the first line is empty", number)
    if len(title) > MAX_TITLE_LENGTH:
        raise NoteError.one(f"the title is longer than {MAX_TITLE_LENGTH} characters", number)
    date = None
    if match["date"]:
        try:
            date = datetime.date.fromisoformat(_zero_pad_date(match["date"]))
        except ValueError:
            raise NoteError.one(
                f"{match['date']!r} is not a real date (expected YYYY-MM-DD)", number
            ) from None
    return title, date


def _zero_pad_date(value: str) -> str:
    year, month, day = value.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _parse_fields(lines: list[str], index: int) -> tuple[dict[str, str], int]:
    """Read the `**Field:** value` lines after the title; return them and where the body starts."""
    fields: dict[str, str] = {}
    while True:
        index = _skip_blank(lines, index)
        if index == len(lines):
            return fields, index
        match = _FIELD.match(lines[index])
        if not match:
            return fields, index
        number = index + 1
        key = match["key"].strip().lower()
        value = match["value"].strip()
        if key not in KNOWN_FIELDS:
            known = ", ".join(name.capitalize() for name in KNOWN_FIELDS)
            raise NoteError.one(f"unknown field {match['key']!r} (known fields: {known})", number)
        if key in fields:
            raise NoteError.one(f"the field {key.capitalize()!r} is given twice", number)
        fields[key] = _check_field(key, value, number)
        index += 1


def _check_field(key: str, value: str, number: int) -> str:
    if len(value) > MAX_FIELD_LENGTH:
        raise NoteError.one(
            f"{key.capitalize()} is longer than {MAX_FIELD_LENGTH} characters", number
        )
    if key == "status" and value.lower() not in STATUSES:
        raise NoteError.one(f"Status must be 'draft' or 'published', not {value!r}", number)
    if key == "order" and whole_number(value, max_digits=_ORDER_DIGITS) is None:
        raise NoteError.one(
            f"Order must be a whole number of at most 9 digits, not {value!r}", number
        )
    if key == "slug" and not _SLUG.match(value):
        raise NoteError.one(
            f"Slug {value!r} may hold only lowercase letters, digits, hyphens and underscores",
            number,
        )
    if key == "topic" and not slugify(value):
        raise NoteError.one(f"Topic {value!r} needs at least one letter or digit", number)
    return value.lower() if key == "status" else value


def _extract_blocks(
    lines: list[str], *, first_number: int
) -> tuple[list[str], list[int], list[TreeBlock], list[CardSpec]]:
    """Take the decision-tree, flashcards and questions blocks out of the body, which comes
    back with the note's line number of each of its lines.

    A tree leaves a marker where it stood; cards leave nothing. Raises NoteError with the
    problems of every block, trees and cards alike, not only the first block's.
    """
    problems: list[Problem] = []
    body: list[str] = []
    numbers: list[int] = []
    trees: list[TreeBlock] = []
    cards: list[CardSpec] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            body.append(lines[index])
            numbers.append(first_number + index)
            index += 1
            continue
        close = _closing_fence(lines, index + 1, opening["fence"])
        number = first_number + index
        kind = opening["info"]
        if kind != TREE_BLOCK and kind not in _CARD_BLOCKS:
            # Ordinary code: copied as it is, even if it shows one of these blocks.
            end = len(lines) if close is None else close + 1
            body.extend(lines[index:end])
            numbers.extend(range(first_number + index, first_number + end))
            index = end
            continue
        if close is None:
            problems.append(Problem(f"the {kind} block opened here is never closed", number))
            break
        text = "\n".join(lines[index + 1 : close])
        index = close + 1
        if kind in _CARD_BLOCKS:
            subject, parse = _CARD_BLOCKS[kind]
            try:
                cards.extend(parse(text, first_line=number + 1))
            except CardsError as error:
                problems.extend(p.about(subject) for p in error.problems)
            continue
        try:
            block = parse_tree_block(text, first_line=number + 1)
        except DefinitionError as error:
            problems.extend(p.about("decision tree") for p in error.problems)
            continue
        if any(tree.slug == block.slug for tree in trees):
            message = f"decision tree '{block.slug}' is defined twice in this note"
            problems.append(Problem(message, number))
            continue
        trees.append(block)
        body.append(f"[[tree:{block.slug}]]")
        numbers.append(number)
    if problems:
        raise NoteError(problems)
    return body, numbers, trees, cards


def _closing_fence(lines: list[str], start: int, fence: str) -> int | None:
    for index in range(start, len(lines)):
        stripped = lines[index].strip()
        if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
            return index
    return None
