"""
Exam-style questions in a note. Pure functions.

A note's ```questions block writes scenario questions for its lesson:

    tags: restore                       (defaults for the block, before the first question)
    section: restoring-creates-a-new-database

    Q: A developer dropped a table 20 minutes ago. The company must get its rows back with
    the LEAST operational effort. Which solution meets these requirements?
    - [ ] Restore the latest manual snapshot over the existing DB instance.
      why: A snapshot is always restored to a new DB instance.
    - [x] Restore the DB instance to a point in time just before the drop.
      why: Point-in-time recovery restores to any second of the retention period.
    - [ ] Rewind the RDS for MySQL instance with Backtrack.
      why: Backtrack is for Aurora MySQL only.
    id: restore-dropped-table
    section: point-in-time-recovery
    tags: pitr

`Q:` starts a question; its stem (Markdown) runs until the first option. The options are
written as flashcards/options.py describes. Then, one a line, the question's own `id:`,
`section:`, `tags:` and `exam:`, as on cards.

Each question becomes a card of kind "question": the stem its front, the options (as written)
its back. So a question is studied, synced on re-import and searched as any other card is.
"""

from __future__ import annotations

import re

from flashcards.cards import (
    QUESTION,
    QUESTION_FIELD,
    CardsError,
    CardSpec,
    check_card,
    parse_exam,
    parse_key,
    parse_section,
    parse_tags,
)
from flashcards.options import OPTION, OptionsError, options_text, parse_options
from portal.problems import Problem

_QUESTION = re.compile(r"^Q:\s?(?P<text>.*)$")


def parse_questions(text: str, *, first_line: int = 1) -> list[CardSpec]:
    """Parse a questions block. Raises CardsError naming every line at fault."""
    problems: list[Problem] = []
    questions: list[CardSpec] = []
    defaults: dict = {"tags": [], "section": ""}
    lines = text.split("\n")
    starts = [index for index, line in enumerate(lines) if _QUESTION.match(line)]

    for index in range(starts[0] if starts else len(lines)):
        line = lines[index].rstrip()
        if not line.strip():
            continue
        try:
            field = QUESTION_FIELD.match(line)
            if not field or field["key"] not in ("tags", "section"):
                raise CardsError.one(
                    "expected a question, 'Q: ...', or the block's 'tags:' or 'section:'",
                    first_line + index,
                )
            _set_field(defaults, field, first_line + index)
        except CardsError as error:
            problems.extend(error.problems)

    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        try:
            questions.append(_question(lines[start:end], first_line + start, defaults))
        except CardsError as error:
            problems.extend(error.problems)
    if problems:
        raise CardsError(sorted(problems, key=lambda problem: problem.line or 0))
    return questions


def _question(lines: list[str], first: int, defaults: dict) -> CardSpec:
    """One question's lines: the stem up to the first option, the options, then its fields."""
    index = 1
    while index < len(lines) and not OPTION.match(lines[index]):
        index += 1
    stem = "\n".join([_QUESTION.match(lines[0])["text"], *lines[1:index]]).strip()
    problems: list[Problem] = [
        # Read as part of the stem, it would be asked as text and its field silently lost.
        Problem(f"fields go after the options: {field['key']!r} is read as the stem", first + at)
        for at in range(1, index)
        if (field := QUESTION_FIELD.match(lines[at].rstrip()))
    ]
    # The fields come last: walk back over them, and blank lines, from the end.
    end = len(lines)
    while end > index and (not lines[end - 1].strip() or QUESTION_FIELD.match(lines[end - 1])):
        end -= 1
    fields: dict = {"tags": list(defaults["tags"]), "section": defaults["section"]}
    for offset in range(end, len(lines)):
        if field := QUESTION_FIELD.match(lines[offset].rstrip()):
            try:
                _set_field(fields, field, first + offset, own=True)
            except CardsError as error:
                problems.extend(error.problems)
    if index == len(lines):
        problems.append(Problem("the question has no options: '- [ ] wrong', '- [x] right'", first))
        options = []
    else:
        try:
            options = parse_options("\n".join(lines[index:end]), first_line=first + index)
        except OptionsError as error:
            problems.extend(
                problem if problem.line else Problem(problem.message, first)
                for problem in error.problems
            )
            options = []
    if problems:
        raise CardsError(problems)
    spec = CardSpec(
        kind=QUESTION,
        front=stem,
        back=options_text(options),
        tags=fields["tags"],
        section=fields["section"],
        key=fields.get("key", ""),
        exam=fields.get("exam", ""),
        line=first,
    )
    check_card(spec)
    return spec


def _set_field(fields: dict, match: re.Match, number: int, *, own: bool = False) -> None:
    key, value = match["key"], match["value"].strip()
    if key == "tags":
        fields["tags"] = list(dict.fromkeys([*fields["tags"], *parse_tags(value, number)]))
    elif key == "section":
        fields["section"] = parse_section(value, number)
    elif key == "id":
        if "key" in fields:
            raise CardsError.one("a question has two 'id:' lines", number)
        fields["key"] = parse_key(value, number)
    else:  # exam
        if "exam" in fields:
            raise CardsError.one("a question has two 'exam:' lines", number)
        fields["exam"] = parse_exam(value, number)
