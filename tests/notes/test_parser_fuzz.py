"""The note parser fuzzed with hypothesis: whatever it is fed, it returns a note or raises its
own error, whose line (when it names one) is a line of the note. No database.

Bounded for CI by the "ci" profile (the default); `HYPOTHESIS_PROFILE=deep` runs far more
examples locally. Crashes found once are kept below as `@example`s.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flashcards.cards import CardsError, parse_cards, prompts_for
from notes.parser import (
    KNOWN_FIELDS,
    MAX_TITLE_LENGTH,
    STATUSES,
    Note,
    NoteError,
    decode_note,
    parse_note,
    read_note,
)
from portal.problems import Problem
from trees.definition import DefinitionError, parse_definition, parse_tree_block
from trees.walk import MAX_STEPS, parse_path

settings.register_profile(
    "ci",
    max_examples=300,
    deadline=None,
    database=None,  # nothing written into the checkout
    derandomize=True,  # the same examples on every run: CI fails only for a real change
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "deep",
    max_examples=5000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# Checking an outcome -------------------------------------------------------------------------


def line_count(text: str) -> int:
    return len(text.split("\n"))


def assert_clear(error: NoteError, lines: int) -> None:
    """A NoteError (and each further problem it carries) says what is wrong, and any line it
    names is one of the note's."""
    assert error.problems
    for problem in error.problems:
        assert type(problem) is Problem
        assert problem.message.strip() and not problem.where
        if problem.line is not None:
            assert 1 <= problem.line <= lines, (problem.line, lines, problem.message)
            assert str(problem) == f"line {problem.line}: {problem.message}"


def assert_sound(note: Note) -> None:
    assert note.title.strip() and len(note.title) <= MAX_TITLE_LENGTH
    assert note.slug and note.body.strip()
    assert note.status in (None, *STATUSES)
    assert note.order is None or note.order >= 0
    assert len({tree.slug for tree in note.trees}) == len(note.trees)
    for card in note.cards:
        assert card.front
        prompts_for(card.kind, card.front, card.back)  # every card can be studied


def parse_text(text: str) -> None:
    try:
        note = parse_note(text)
    except NoteError as error:
        assert_clear(error, line_count(text))
    else:
        assert_sound(note)


def parse_bytes(data: bytes) -> None:
    try:
        text = decode_note(data)
    except NoteError as error:
        [problem] = error.problems
        assert problem.line is None and problem.message.strip()
        return
    try:
        note = read_note(data)
    except NoteError as error:
        assert_clear(error, line_count(text))
    else:
        assert_sound(note)


# Arbitrary input ------------------------------------------------------------------------------


@PROFILE
@given(st.text())
@example("# ²\n\n**Order:** ²\n\nBody.")
@example("# T\n\n**Order:** " + "9" * 300 + "\n\nBody.")
@example("# T\n\nBody.\n\n```flashcards\nC: {{c" + "9" * 5000 + "::x}}\n```")
@example("\n\n\n# ---\n\nBody.")
def test_any_text_is_a_note_or_a_clear_error(text):
    parse_text(text)


@PROFILE
@given(st.binary())
@example(b"\xff\xfeT\x00i\x00")  # UTF-16 with its BOM
@example(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
@example("# Caf\xe9\n\nBody.".encode("latin-1"))
def test_any_bytes_are_a_note_or_a_clear_error(data):
    parse_bytes(data)


@PROFILE
@given(st.text())
def test_any_tree_definition_parses_or_lists_its_problems(text):
    lines = line_count(text)
    for parse in (
        lambda: parse_definition(text, first_line=1),
        lambda: parse_tree_block(text, first_line=1),
    ):
        try:
            parse()
        except DefinitionError as error:
            assert error.problems
            for problem in error.problems:
                assert problem.message.strip()
                assert problem.line is None or 1 <= problem.line <= lines


@PROFILE
@given(st.text())
@example("C: {{c" + "9" * 5000 + "::deep}}")
@example("C: {{c99999::too many}}")
def test_any_card_block_parses_or_names_its_line(text):
    lines = line_count(text)
    try:
        cards = parse_cards(text, first_line=1)
    except CardsError as error:
        # Every line at fault is named, so there may be several problems, each with its line.
        assert error.problems
        for problem in error.problems:
            assert problem.message.strip()
            assert problem.line is None or 1 <= problem.line <= lines
    else:
        for card in cards:
            for prompt in prompts_for(card.kind, card.front, card.back):
                assert 0 <= prompt.ordinal <= 999


@PROFILE
@given(st.text())
@example("²")
@example("1." + "9" * 5000)
def test_any_tree_path_in_a_url_is_read_without_error(raw):
    numbers, malformed = parse_path(raw)
    assert isinstance(malformed, bool)
    assert len(numbers) <= MAX_STEPS and all(1 <= number <= 999 for number in numbers)


# Near-valid notes -----------------------------------------------------------------------------

# Mostly well-formed pieces (repeated in `one_of` to weigh them), now and then the characters
# that break naive parsers: NULs, other scripts' digits, dashes, BOMs, fences, huge lines.
plain = st.from_regex(r"[A-Za-z][A-Za-z0-9 ,.()'&]{0,30}", fullmatch=True)
slug = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,12}", fullmatch=True)
noise = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\r",
            "\t",
            "²",
            "٣",
            "—",
            "–",
            "#",
            "**",
            "```",
            "~~~",
            "{{c1::",
            "}}",
            "->",
            ":",
            "\ufeff",
            "\u2028",
            "🙂",
            "ß",
            "İ",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
words = st.lists(noise, max_size=4).map(" ".join)
huge_line = st.integers(min_value=1_000, max_value=120_000).map(lambda n: "x" * n)
some_text = st.one_of(plain, plain, plain, words, huge_line)
some_slug = st.one_of(slug, slug, slug, words)

title_line = st.builds(
    lambda hashes, date, title: f"{hashes} {date}{title}",
    st.sampled_from(["#"] * 12 + ["##", "", "# #"]),
    st.one_of(
        st.just(""),
        st.dates().map(lambda day: f"{day} — "),
        st.dates().map(lambda day: f"{day} — "),
        st.builds(
            "{} {} ".format,
            st.from_regex(r"\d{4}-\d{1,2}-\d{1,2}", fullmatch=True),
            st.sampled_from(["—", "–", "-", "--", ""]),
        ),
    ),
    st.one_of(plain, plain, plain, plain, plain, words, huge_line),
)
field_line = st.builds(
    lambda key, value: f"**{key}:** {value}",
    st.one_of(st.sampled_from([name.capitalize() for name in KNOWN_FIELDS]), words),
    st.one_of(
        plain,
        plain,
        slug,
        st.sampled_from([*STATUSES, "Draft", "archived"]),
        st.integers(min_value=-5, max_value=10**25).map(str),
        words,
        huge_line,
    ),
)


@st.composite
def tree_block(draw) -> list[str]:
    """A tree that parses: a question whose answers lead to outcomes; then a few random
    lines dropped in anywhere."""
    first, second = draw(st.lists(slug, min_size=2, max_size=2, unique=True))
    lines = [
        f"slug: {draw(some_slug)}",
        f"title: {draw(some_text)}",
        f"? start: {draw(some_text)}",
        f"- {draw(plain)} -> {first}",
        f"  why: {draw(plain)}",
        f"- {draw(plain)} -> {second}",
        f"= {first}: {draw(some_text)}",
        f"link: {draw(some_slug)}#{draw(some_slug)}",
        draw(plain),
        f"= {second}: {draw(plain)}",
    ]
    for _ in range(draw(st.integers(0, 3))):
        lines.insert(draw(st.integers(0, len(lines))), draw(tree_line))
    return lines


tree_line = st.one_of(
    st.builds("? {}: {}".format, some_slug, some_text),
    st.builds("= {}: {}".format, some_slug, some_text),
    st.builds("- {} -> {}".format, some_text, some_slug),
    st.builds("  why: {}".format, some_text),
    st.builds("link: {}#{}".format, some_slug, some_slug),
    st.builds(
        "{}: {}".format, st.sampled_from(["slug", "title", "intro", "start", "colour"]), some_slug
    ),
    words,
)


@st.composite
def cards_block(draw) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["Q", "R", "C"]))
        if kind == "C":
            number = draw(st.one_of(st.integers(1, 3), st.integers(0, 10**6)))
            lines.append(f"C: {draw(plain)} {{{{c{number}::{draw(some_text)}}}}}")
        else:
            lines += [f"{kind}: {draw(some_text)}", f"A: {draw(some_text)}"]
        if draw(st.booleans()):
            lines.append(f"tags: {draw(some_slug)}, {draw(some_slug)}")
        if draw(st.booleans()):
            lines.append(f"section: {draw(some_slug)}")
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(draw(st.integers(0, len(lines))), draw(card_line))
    return lines


card_line = st.one_of(
    st.builds("{}: {}".format, st.sampled_from(["Q", "R", "C", "A"]), some_text),
    st.builds("{}: {}".format, st.sampled_from(["tags", "section", "id"]), some_slug),
    words,
)


def fenced(kind: str, body):
    return st.builds(
        lambda fence, lines, closed: [f"{fence}{kind}", *lines, *([fence] if closed else [])],
        st.sampled_from(["```", "```", "````", "~~~", "   ```", "    ```"]),
        body,
        st.sampled_from([True, True, True, False]),
    )


body_part = st.one_of(
    some_text.map(lambda text: [text, ""]),
    some_text.map(lambda text: [f"## {text}", ""]),
    fenced("decision-tree", tree_block()),
    fenced("flashcards", cards_block()),
    fenced("python", st.lists(words, max_size=3)),
)


@st.composite
def near_valid_notes(draw) -> str:
    lines = ["" for _ in range(draw(st.integers(0, 2)))]
    lines.append(draw(title_line))
    lines += draw(st.lists(field_line, max_size=4))
    lines.append("")
    for part in draw(st.lists(body_part, min_size=1, max_size=5)):
        lines += part
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    return newline.join(lines)


@PROFILE
@given(near_valid_notes())
@example("# T\n\n**Order:** ²\n\nBody.")
@example("# T\n\n**Order:** 99999999999999999999\n\nBody.")
@example("# T\n\nBody.\n\n```flashcards\nC: {{c40000::x}}\n```")
def test_near_valid_notes_are_a_note_or_a_clear_error(text):
    parse_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    parse_bytes(text.encode())
