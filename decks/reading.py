"""Reading an Anki package (`.apkg`, or a whole collection's `.colpkg`): bytes in, the
collection's note types, decks, notes, cards, reviews and media out. No database of ours.

A package is a zip. Its collection is an SQLite file under one of three names, newest first:
- `collection.anki21b`: zstd-compressed, schema 18 (Anki 2.1.50 on, the default export since
  23.10). Note types, their fields and templates, and decks are tables whose settings are
  protobuf messages; media files are zstd-compressed, and the `media` list is a protobuf message
  too (also compressed).
- `collection.anki21`: schema 11 (Anki 2.1 "support older versions" exports); note types and
  decks are JSON in the `col` row, and `media` is JSON (`{"0": "name.png"}`).
- `collection.anki2`: the same, as genanki and Anki 2.0 write it. Beside a newer collection it
  is a stub that says "please update Anki", and is ignored.
The formats were read from Anki's own exports (the `anki` package, tests/decks/).

A package is hostile until read: every size is capped while it is being read, not as the zip
declares it (a zip bomb lies); the collection is opened in memory, read-only, with a budget of
SQLite steps (a crafted file's views or huge tables cannot spin a worker); media names are only
ever keys, never paths. Every refusal is a `PackageError` saying what is wrong with the file.
"""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import zstandard

from portal.problems import Problem, ProblemList

# What one package may be. The upload limit is the views' (decks/forms.py); these bound what
# reading it may cost, whatever the zip declares.
MAX_COLLECTION_BYTES = 256 * 1024 * 1024  # the collection, uncompressed
MAX_MEDIA_FILE_BYTES = 10 * 1024 * 1024  # one media file, uncompressed
# The list of media names: a name and a checksum each, so 16 MB is a hundred thousand files.
MAX_MEDIA_LIST_BYTES = 16 * 1024 * 1024
MAX_ZIP_MEMBERS = 100_000
# SQLite virtual machine steps for all the reads of one package, checked every 10,000 steps. A
# 10,000-note collection's reads take about 2 million; this is far above any real one and
# seconds of CPU at most.
MAX_SQLITE_STEPS = 500_000_000
_PROGRESS_EVERY = 10_000

NEWEST, LEGACY, OLDEST = "collection.anki21b", "collection.anki21", "collection.anki2"
FIELD_SEPARATOR = "\x1f"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SQLITE_MAGIC = b"SQLite format 3\x00"
# The tables every Anki collection has, and that this reads.
_TABLES = ("col", "notes", "cards", "revlog")
_NEWER_TABLES = ("notetypes", "fields", "templates", "decks")

NORMAL, CLOZE = "normal", "cloze"


class PackageError(ProblemList):
    """A file that is not an Anki package this can read, with what is wrong with it."""


@dataclass(frozen=True)
class Template:
    name: str
    front: str  # Anki's "question format", e.g. "{{Front}}"
    back: str


@dataclass(frozen=True)
class NoteType:
    id: int
    name: str
    kind: str  # NORMAL or CLOZE
    fields: tuple[str, ...]
    templates: tuple[Template, ...]


@dataclass(frozen=True)
class Deck:
    id: int
    name: str  # "Parent::Child", as Anki shows it
    description: str  # HTML, as the deck's author wrote it


@dataclass(frozen=True)
class Note:
    id: int
    guid: str
    notetype_id: int
    fields: tuple[str, ...]  # HTML, one per field of its note type
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Card:
    id: int
    note_id: int
    ordinal: int  # Anki's `ord`: the template's index, or a cloze deletion's number minus 1
    deck_id: int


@dataclass(frozen=True)
class Review:
    """One row of Anki's review log."""

    id: int  # the moment of the review, in unix milliseconds (Anki's revlog id)
    card_id: int
    ease: int  # 1 Again, 2 Hard, 3 Good, 4 Easy; 0 for a change by hand (no answer)
    interval: int  # after the review: days when positive, seconds when negative
    last_interval: int  # before it, the same way
    time_ms: int  # how long the answer took
    kind: int  # 0 learning, 1 review, 2 relearning, 3 filtered deck, 4 by hand, 5 rescheduled
    factor: int  # SM-2's ease in permille; 0 in a filtered deck that does not reschedule


def _problem(message: str) -> PackageError:
    return PackageError.one(message)


class Package:
    """An opened package. `open_package` makes one; use it as a context manager, or `close()`."""

    def __init__(self, archive: zipfile.ZipFile, collection: sqlite3.Connection, format: str):
        self._archive = archive
        self._db = collection
        self.format = format  # the collection's member name: NEWEST, LEGACY or OLDEST

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()
        self._archive.close()

    @property
    def newer_schema(self) -> bool:
        return self.format == NEWEST

    def _rows(self, sql: str, parameters: tuple = ()) -> Iterator[tuple]:
        try:
            cursor = self._db.execute(sql, parameters)
            yield from cursor
        except sqlite3.OperationalError as error:
            if "interrupted" in str(error):
                raise _problem("the collection takes too long to read (a crafted file?)") from None
            raise _problem(f"the collection cannot be read ({error})") from None
        except sqlite3.DatabaseError as error:
            raise _problem(f"the collection is damaged ({error})") from None

    # -- note types and decks -------------------------------------------------------------

    @cached_property
    def notetypes(self) -> dict[int, NoteType]:
        if self.newer_schema:
            return self._newer_notetypes()
        models = self._col_json("models")
        found = {}
        for key, model in models.items():
            try:
                fields = sorted(model["flds"], key=lambda f: f["ord"])
                templates = sorted(model["tmpls"], key=lambda t: t["ord"])
                found[int(key)] = NoteType(
                    id=int(key),
                    name=str(model["name"]),
                    kind=CLOZE if model.get("type") == 1 else NORMAL,
                    fields=tuple(str(f["name"]) for f in fields),
                    templates=tuple(
                        Template(str(t["name"]), str(t["qfmt"]), str(t["afmt"])) for t in templates
                    ),
                )
            except (KeyError, TypeError, ValueError):
                raise _problem(f"note type {key} in the collection is malformed") from None
        return found

    def _newer_notetypes(self) -> dict[int, NoteType]:
        fields: dict[int, list[str]] = {}
        for ntid, name in self._rows("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
            fields.setdefault(ntid, []).append(str(name))
        templates: dict[int, list[Template]] = {}
        for ntid, name, config in self._rows(
            "SELECT ntid, name, config FROM templates ORDER BY ntid, ord"
        ):
            message = _message(config, f"template {name!r}")
            templates.setdefault(ntid, []).append(
                Template(str(name), _text(message, 1), _text(message, 2))
            )
        found = {}
        for ntid, name, config in self._rows("SELECT id, name, config FROM notetypes"):
            message = _message(config, f"note type {name!r}")
            found[ntid] = NoteType(
                id=ntid,
                name=str(name),
                kind=CLOZE if _number(message, 1) == 1 else NORMAL,
                fields=tuple(fields.get(ntid, ())),
                templates=tuple(templates.get(ntid, ())),
            )
        return found

    @cached_property
    def decks(self) -> dict[int, Deck]:
        if self.newer_schema:
            found = {}
            for deck_id, name, kind in self._rows("SELECT id, name, kind FROM decks"):
                normal = _message(kind, f"deck {name!r}").get(1, [b""])[0]
                description = _text(_message(normal, f"deck {name!r}"), 4) if normal else ""
                found[deck_id] = Deck(
                    deck_id, str(name).replace(FIELD_SEPARATOR, "::"), description
                )
            return found
        found = {}
        for key, deck in self._col_json("decks").items():
            try:
                found[int(key)] = Deck(int(key), str(deck["name"]), str(deck.get("desc") or ""))
            except (KeyError, TypeError, ValueError):
                raise _problem(f"deck {key} in the collection is malformed") from None
        return found

    def _col_json(self, column: str) -> dict:
        rows = list(self._rows(f"SELECT {column} FROM col LIMIT 1"))  # noqa: S608 (a constant)
        try:
            value = json.loads(rows[0][0]) if rows else None
        except (TypeError, ValueError):
            value = None
        if not isinstance(value, dict):
            raise _problem(f"the collection's {column} are malformed")
        return value

    # -- notes, cards, reviews ------------------------------------------------------------

    def note_count(self) -> int:
        return next(self._rows("SELECT count(*) FROM notes"))[0]

    def notes(self) -> Iterator[Note]:
        for note_id, guid, mid, flds, tags in self._rows(
            "SELECT id, guid, mid, flds, tags FROM notes ORDER BY id"
        ):
            yield Note(
                id=note_id,
                guid=str(guid),
                notetype_id=mid,
                fields=tuple(str(flds).split(FIELD_SEPARATOR)),
                tags=tuple(str(tags).split()),
            )

    def cards(self) -> Iterator[Card]:
        for card_id, nid, ordinal, did, odid in self._rows(
            "SELECT id, nid, ord, did, odid FROM cards ORDER BY nid, ord"
        ):
            # A card in a filtered deck keeps its home deck in `odid`.
            yield Card(card_id, nid, ordinal, odid or did)

    def review_count(self) -> int:
        return next(self._rows("SELECT count(*) FROM revlog"))[0]

    def reviews(self) -> Iterator[Review]:
        for row in self._rows(
            "SELECT id, cid, ease, ivl, lastIvl, time, type, factor FROM revlog ORDER BY id"
        ):
            # Whole numbers in Anki's own files; anything else is a damaged or forged log.
            if not all(type(value) is int for value in row):
                raise _problem(f"its review log is damaged (the entry with id {row[0]!r})")
            yield Review(*row)

    def card_guids(self) -> Iterator[tuple[int, str, int]]:
        """(card id, its note's GUID, its ordinal) for every card."""
        yield from self._rows(
            "SELECT cards.id, notes.guid, cards.ord FROM cards JOIN notes ON notes.id = cards.nid"
        )

    # -- media ----------------------------------------------------------------------------

    @cached_property
    def media_names(self) -> dict[str, str]:
        """{file name as the notes use it: the zip member holding it}."""
        if "media" not in self._members:
            return {}
        raw = _read_member(self._archive, "media", MAX_MEDIA_LIST_BYTES, "its media list")
        if not raw:
            return {}
        if self.newer_schema:
            entries = _message(_unzstd(raw, MAX_MEDIA_LIST_BYTES, "its media list"), "media list")
            names = {}
            for index, entry in enumerate(entries.get(1, [])):
                name = _text(_message(entry, "media list"), 1)
                if name:
                    names[name] = str(index)
            return names
        try:
            listed = json.loads(raw)
        except ValueError:
            raise _problem("its media list is not valid JSON") from None
        if not isinstance(listed, dict):
            raise _problem("its media list is malformed")
        return {str(name): str(member) for member, name in listed.items()}

    @cached_property
    def _members(self) -> set[str]:
        return set(self._archive.namelist())

    def media_file(self, name: str) -> bytes | None:
        """The media file the notes call `name`, or None when the package lacks it. At most
        MAX_MEDIA_FILE_BYTES; a larger one is a PackageError."""
        member = self.media_names.get(name)
        if member is None or member not in self._members:
            return None
        data = _read_member(self._archive, member, MAX_MEDIA_FILE_BYTES, f"media file {name!r}")
        if self.newer_schema and data.startswith(_ZSTD_MAGIC):
            data = _unzstd(data, MAX_MEDIA_FILE_BYTES, f"media file {name!r}")
        return data


def open_package(data: bytes) -> Package:
    """Open a package's bytes. Raises PackageError for anything that is not an Anki package
    this can read: not a zip, damaged, no collection, a collection that is not Anki's, or
    larger than the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _problem(
            "is not an Anki package (.apkg or .colpkg): it is not a zip file, or it is damaged"
        ) from None
    try:
        if len(members) > MAX_ZIP_MEMBERS:
            raise _problem(f"holds {len(members):,} files; at most {MAX_ZIP_MEMBERS:,}")
        names = {member.filename for member in members}
        format = next((name for name in (NEWEST, LEGACY, OLDEST) if name in names), None)
        if format is None:
            raise _problem(
                "is a zip file but not an Anki package: it holds no collection "
                "(collection.anki21b, collection.anki21 or collection.anki2)"
            )
        raw = _read_member(archive, format, MAX_COLLECTION_BYTES, "the collection")
        if format == NEWEST:
            raw = _unzstd(raw, MAX_COLLECTION_BYTES, "the collection")
        collection = _open_collection(raw)
        package = Package(archive, collection, format)
    except BaseException:
        archive.close()
        raise
    return package


def _open_collection(raw: bytes) -> sqlite3.Connection:
    if not raw.startswith(_SQLITE_MAGIC):
        raise _problem("its collection is not an SQLite database (the file is damaged)")
    # Anki's newer collections are in WAL mode (header bytes 18 and 19 are 2), which an
    # in-memory database cannot open; the rollback journal's 1 reads the same file.
    raw = raw[:18] + b"\x01\x01" + raw[20:]
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    try:
        connection.deserialize(raw)
        connection.execute("PRAGMA query_only = ON")
        connection.execute("PRAGMA trusted_schema = OFF")
        steps = iter(range(MAX_SQLITE_STEPS // _PROGRESS_EVERY))
        # A non-zero return interrupts the query: the budget is spent.
        connection.set_progress_handler(lambda: next(steps, None) is None, _PROGRESS_EVERY)
        tables = dict(connection.execute("SELECT name, type FROM sqlite_master"))
        newer = all(tables.get(name) == "table" for name in _NEWER_TABLES)
        missing = [name for name in _TABLES if tables.get(name) != "table"]
        if missing:
            raise _problem(
                "its collection is an SQLite database but not an Anki collection "
                f"(no {', '.join(missing)} table)"
            )
        (version,) = connection.execute("SELECT ver FROM col LIMIT 1").fetchone() or (None,)
        if not isinstance(version, int) or not (newer or version <= 11):
            raise _problem(f"its collection has a schema this cannot read (version {version})")
    except sqlite3.DatabaseError as error:
        connection.close()
        raise _problem(f"its collection is damaged ({error})") from None
    except BaseException:
        connection.close()
        raise
    return connection


def _read_member(archive: zipfile.ZipFile, name: str, limit: int, what: str) -> bytes:
    """A member's bytes, read at most `limit` + 1 of them whatever its header declares."""
    try:
        with archive.open(name) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise _problem(f"{what} cannot be read from the package; it is damaged ({error})") from None
    if len(data) > limit:
        raise _problem(f"{what} is larger than {limit // (1024 * 1024)} MB unpacked")
    return data


def _unzstd(data: bytes, limit: int, what: str) -> bytes:
    try:
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
            out = reader.read(limit + 1)
            # One read may stop at a frame's end: keep reading until the limit or the end.
            while len(out) <= limit and (more := reader.read(limit + 1 - len(out))):
                out += more
    except zstandard.ZstdError as error:
        raise _problem(f"{what} cannot be decompressed; it is damaged ({error})") from None
    if len(out) > limit:
        raise _problem(f"{what} is larger than {limit // (1024 * 1024)} MB unpacked")
    return out


# Protobuf, the few messages read here (Anki's notetype, template, deck and media list
# settings): by field number, without the schema. A hand-written reader of the wire format
# (varints and length-delimited fields) rather than a dependency on Anki's generated classes,
# which come only with the whole `anki` package.


def _message(data: bytes | None, what: str) -> dict[int, list]:
    """{field number: [values]}: ints for varints, bytes for length-delimited fields."""
    fields: dict[int, list] = {}
    data = data or b""
    position = 0
    try:
        while position < len(data):
            key, position = _varint(data, position)
            number, wire = key >> 3, key & 7
            if wire == 0:
                value, position = _varint(data, position)
            elif wire == 2:
                length, position = _varint(data, position)
                if position + length > len(data):
                    raise ValueError
                value, position = data[position : position + length], position + length
            elif wire in (1, 5):
                size = 8 if wire == 1 else 4
                value, position = data[position : position + size], position + size
            else:
                raise ValueError
            fields.setdefault(number, []).append(value)
    except (ValueError, IndexError):
        raise _problem(f"the collection's {what} settings are malformed") from None
    return fields


def _varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7
        if shift > 63:
            raise ValueError


def _text(message: dict[int, list], number: int) -> str:
    values = message.get(number)
    if not values or not isinstance(values[-1], bytes):
        return ""
    return values[-1].decode("utf-8", "replace")


def _number(message: dict[int, list], number: int) -> int:
    values = message.get(number)
    return values[-1] if values and isinstance(values[-1], int) else 0


def problem_in(name: str, error: PackageError) -> list[Problem]:
    """The error's problems, each naming the uploaded file."""
    return [problem.within(name) for problem in error.problems]
