"""An Anki package (`.apkg`) from a list of notes: no database, no request.

genanki writes the collection (note types, decks, notes, new cards); scheduling is then written
into that collection's `cards` rows, because genanki writes every card as new. Anki reads
(rslib, 2.1.55 on; checked against the `anki` package of the version the README names):
- `type` 0 new, 1 learning, 2 review, 3 relearning, and `queue` the same for studying cards;
- `due`: a review's day number counted from the collection's `crt` (its creation day), a
  learning card's moment in unix seconds, a new card's position;
- `ivl` in days, `reps`, `lapses`, and `left` (learning steps left, at least 1 while learning);
- `data`, JSON: FSRS's memory state `s` (stability, days) and `d` (difficulty, 1 to 10), the
  desired retention `dr` and the last review `lrt` (unix seconds).
Anki imports scheduling only when "Import any learning progress" is ticked; otherwise every card
arrives new, which is what a package without scheduling says anyway.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import os
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field

import genanki

# Fixed ids, so that a second export updates the note types Anki made from the first rather than
# adding "Study portal: Basic+" beside them. Names of their own too: Anki renames a package's
# "Basic" whose fields differ from the user's own "Basic".
BASIC_MODEL_ID = 1_764_000_001
REVERSED_MODEL_ID = 1_764_000_002
CLOZE_MODEL_ID = 1_764_000_003

_CSS = """.card { font-family: system-ui, sans-serif; font-size: 20px; text-align: left;
  color: black; background-color: white; }
.nightMode .card, .card.nightMode { color: #eee; background-color: #1e1e1e; }
.exam-tip { border-left: 4px solid #b58900; padding-left: .5em; }
.lesson-link { font-size: 16px; }
.cloze { font-weight: bold; color: #0645ad; }
.nightMode .cloze { color: #8ab4f8; }
"""

_FIELDS = [{"name": "Front"}, {"name": "Back"}, {"name": "Exam"}, {"name": "Lesson"}]
# What every answer ends with: the exam tip when the card has one, and the way back to the lesson.
_ANSWER_END = (
    '{{#Exam}}<p class="exam-tip">Exam tip: {{Exam}}</p>{{/Exam}}'
    '{{#Lesson}}<p class="lesson-link">{{Lesson}}</p>{{/Lesson}}'
)


def _two_sided(model_id: int, name: str, *, reversed_too: bool) -> genanki.Model:
    templates = [
        {
            "name": "Card 1",
            "qfmt": "{{Front}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Back}}' + _ANSWER_END,
        }
    ]
    if reversed_too:
        templates.append(
            {
                "name": "Card 2",
                "qfmt": "{{Back}}",
                "afmt": '{{FrontSide}}<hr id="answer">{{Front}}' + _ANSWER_END,
            }
        )
    return genanki.Model(model_id, name, fields=_FIELDS, templates=templates, css=_CSS)


BASIC_MODEL = _two_sided(BASIC_MODEL_ID, "Study portal: Basic", reversed_too=False)
REVERSED_MODEL = _two_sided(
    REVERSED_MODEL_ID, "Study portal: Basic (and reversed card)", reversed_too=True
)
CLOZE_MODEL = genanki.Model(
    CLOZE_MODEL_ID,
    "Study portal: Cloze",
    fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": "Exam"}, {"name": "Lesson"}],
    templates=[
        {
            "name": "Cloze",
            "qfmt": "{{cloze:Text}}",
            "afmt": "{{cloze:Text}}<br>{{Back Extra}}" + _ANSWER_END,
        }
    ],
    css=_CSS,
    model_type=genanki.Model.CLOZE,
)

BASIC, REVERSED, CLOZE = "basic", "reversed", "cloze"
MODELS = {BASIC: BASIC_MODEL, REVERSED: REVERSED_MODEL, CLOZE: CLOZE_MODEL}

# Anki's card types (the `type` column) for a studied card; 0 is new.
LEARNING, REVIEW, RELEARNING = 1, 2, 3


@dataclass(frozen=True)
class Schedule:
    """One card's place in a learner's schedule, as FSRS keeps it (`PromptState`)."""

    state: int  # LEARNING, REVIEW or RELEARNING (the same numbers as PromptState.State)
    due: dt.datetime
    stability: float | None
    difficulty: float | None
    last_review: dt.datetime | None
    reps: int
    lapses: int
    desired_retention: float


@dataclass(frozen=True)
class DeckNote:
    """One portal card as one Anki note. `fields` in the note type's order (Front, Back, Exam,
    Lesson; or Text, Back Extra, Exam, Lesson), already sanitized HTML. `schedules` by Anki card
    ordinal (0 for a basic card, 1 for the reverse, n - 1 for cloze deletion n): a card left
    out stays new."""

    guid: str
    kind: str  # BASIC, REVERSED or CLOZE
    deck: str  # "Topic::Lesson"
    fields: tuple[str, ...]
    tags: tuple[str, ...] = ()
    schedules: dict[int, Schedule] = field(default_factory=dict)


def deck_name(topic: str, lesson: str) -> str:
    """ "Topic::Lesson"; a "::" inside a title would nest a deck deeper, so it reads ":" here."""
    return f"{topic.replace('::', ':').strip()}::{lesson.replace('::', ':').strip()}"


def anki_tag(slug: str) -> str:
    """Anki splits tags at spaces."""
    return "_".join(slug.split())


def _deck_id(name: str) -> int:
    # Stable, so that a second export puts the notes in the deck the first one made. Anki's
    # ids are 64-bit signed; genanki's guid hashing gives a stable number from the name.
    return 1 << 40 | int.from_bytes(genanki.util.guid_for(name).encode()[:4], "big")


def build_package(
    notes: list[DeckNote], *, now: dt.datetime, media: dict[str, bytes] | None = None
) -> bytes:
    """The `.apkg` file's bytes. `now` stamps the notes' modification time. `media` are the
    files the notes' fields name ({"<name>": bytes}, e.g. an `<img src="<name>">`), packed as
    Anki packs them: zip members "0", "1", ... and a `media` list naming each."""
    decks: dict[str, genanki.Deck] = {}
    for note in notes:
        deck = decks.get(note.deck) or decks.setdefault(
            note.deck, genanki.Deck(_deck_id(note.deck), note.deck)
        )
        deck.add_note(
            genanki.Note(
                model=MODELS[note.kind],
                fields=list(note.fields),
                tags=[anki_tag(tag) for tag in note.tags],
                guid=note.guid,
            )
        )
    handle, path = tempfile.mkstemp(suffix=".anki2")
    os.close(handle)
    try:
        connection = sqlite3.connect(path)
        try:
            cursor = connection.cursor()
            timestamp = now.timestamp()
            genanki.Package(list(decks.values())).write_to_db(
                cursor, timestamp, itertools.count(int(timestamp * 1000))
            )
            _write_schedules(cursor, notes)
            connection.commit()
        finally:
            connection.close()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            package.write(path, "collection.anki2")
            names = {}
            for index, (name, data) in enumerate(sorted((media or {}).items())):
                package.writestr(str(index), data)
                names[str(index)] = name
            package.writestr("media", json.dumps(names))
        return out.getvalue()
    finally:
        os.unlink(path)


def _write_schedules(cursor: sqlite3.Cursor, notes: list[DeckNote]) -> None:
    scheduled = {note.guid: note.schedules for note in notes if note.schedules}
    if not scheduled:
        return
    (created,) = cursor.execute("SELECT crt FROM col").fetchone()
    created_day = anki_day(dt.datetime.fromtimestamp(created, tz=dt.UTC))
    rows = cursor.execute(
        "SELECT cards.id, notes.guid, cards.ord FROM cards JOIN notes ON notes.id = cards.nid"
    ).fetchall()
    updates = []
    for card_id, guid, ordinal in rows:
        schedule = scheduled.get(guid, {}).get(ordinal)
        if schedule is not None:
            updates.append((*anki_card_columns(schedule, created_day), card_id))
    cursor.executemany(
        "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, factor = ?, reps = ?,"
        " lapses = ?, left = ?, data = ? WHERE id = ?",
        updates,
    )


# Anki's days start at its "next day starts at" hour, 4 a.m. by default, not at midnight: a
# collection's day numbers count such days from `crt`. Counted at midnight, a card exported
# between midnight and 4 a.m. came out a day late.
ANKI_ROLLOVER = dt.timedelta(hours=4)


def anki_day(moment: dt.datetime) -> dt.date:
    """The Anki day a moment falls in (UTC, with Anki's default rollover)."""
    return (moment.astimezone(dt.UTC) - ANKI_ROLLOVER).date()


def anki_card_columns(schedule: Schedule, created_day: dt.date) -> tuple:
    """(type, queue, due, ivl, factor, reps, lapses, left, data) for one studied card."""
    last = schedule.last_review or schedule.due
    memory = {"dr": round(schedule.desired_retention, 2), "lrt": int(last.timestamp())}
    if schedule.stability is not None and schedule.difficulty is not None:
        memory.update(s=round(schedule.stability, 4), d=round(schedule.difficulty, 4))
    data = json.dumps(memory, separators=(",", ":"))
    if schedule.state == REVIEW:
        # A review is due for its whole day (as on the portal): its day number from `crt`.
        interval = max(1, (schedule.due.date() - last.date()).days)
        due = (anki_day(schedule.due) - created_day).days
        return (REVIEW, REVIEW, due, interval, 2500, schedule.reps, schedule.lapses, 0, data)
    # Learning and relearning cards come back at a moment, in unix seconds, one step left.
    # A relearning card keeps the interval it will graduate to; FSRS reads its stability.
    interval = max(1, round(schedule.stability or 1)) if schedule.state == RELEARNING else 0
    due = int(schedule.due.timestamp())
    return (schedule.state, 1, due, interval, 2500, schedule.reps, schedule.lapses, 1, data)
