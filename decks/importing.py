"""Reading an Anki package as notes: each Anki deck that holds notes becomes a `notes.parser.Note`
(a lesson, its body and its cards) and its images become rows to store. No writes: the notes
import (notes/services.py `notes_import_parsed`) writes them, with the images, in one short
transaction; decks/services.py joins the two.

What maps to what:
- A deck "Topic::Sub::Deck" is the lesson "Sub: Deck" in the topic "Topic"; a top-level deck is a
  lesson in the default topic. A note belongs to the deck of its first card.
- Note types: Anki's cloze kind is a `C:` card (first field the text, second the back extra);
  a normal type with one template is a `Q:` card from its first two fields; one with two
  templates, the second asking for the second field, is an `R:` card. Image Occlusion and any
  other type is a `Q:` card from its first two fields (Image Occlusion's image and its header
  and back extra, as its first field is the occlusions' coordinates).
- Each card's `id:` key is a hash of its note's GUID, so importing a newer export of the same
  deck updates the same cards, and a note gone from the deck retires its card.
- Fields are HTML: sanitized with the site's sanitizer, images rewritten to the portal's copy
  first, and kept as one line of HTML in a `<div>` (a Markdown HTML block), so Markdown never
  reinterprets Anki's text (a `*`, a leading `#`).
"""

from __future__ import annotations

import hashlib
import html
import re
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

from django.utils.text import slugify

from decks.models import IMAGE_TYPES, image_url
from decks.reading import (
    CLOZE as ANKI_CLOZE,
)
from decks.reading import (
    Note as AnkiNote,
)
from decks.reading import (
    NoteType,
    Package,
    PackageError,
    open_package,
    problem_in,
)
from flashcards.cards import BASIC, CLOZE, REVERSED, CardSpec, cloze_deletions, cloze_replace
from notes.parser import Note
from portal.markdown import sanitize_html
from portal.problems import Problem, ProblemList

# What one package may bring. Notes: the 10,000-note deck (a lesson of 10,000 cards
# writes in about 4 s on SQLite; docs/NOTES.md). Images: each at most reading.py's
# MAX_MEDIA_FILE_BYTES (10 MB); all of a package's together at most 100 MB, which the write
# transaction stores (so bounds how long it holds the lock). The upload itself: MAX_UPLOAD_BYTES,
# a deck's or a learner's collection of reviews (decks/forms.py).
MAX_NOTES = 10_000
MAX_IMAGES_BYTES = 100 * 1024 * 1024
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
# A field longer than this is no flashcard (its note is skipped, named in the report); all of
# a package's fields together at most the other (8,000 notes of 1 KB render into a lesson in
# 0.2 s here, so this bounds the rendering to seconds).
MAX_FIELD_CHARACTERS = 100_000
MAX_TEXT_CHARACTERS = 32_000_000
DEFAULT_TOPIC = "Anki decks"
# Notes per section of a lesson whose notes have no tags.
SECTION_SIZE = 50
# Skipped notes the report names one by one.
SKIPPED_LISTED = 20
_SLUG_LENGTH = 80
_TITLE_LENGTH = 200

# Up to the next "[" or "]": a "[sound:" that never closes costs one step, not the rest.
_SOUND = re.compile(r"\[sound:[^\]\[]*\]")
_MEDIA_OPENING = re.compile(r"<(audio|video)\b", re.IGNORECASE)
_MEDIA_CLOSING = {kind: re.compile(rf"</{kind}\b", re.IGNORECASE) for kind in ("audio", "video")}
# Up to the next "<" too: an "<img" never closed costs one step, not the rest of the field.
_IMG = re.compile(r"<img\b[^<>]*>", re.IGNORECASE)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&])")
_NOT_TAG_CHARACTER = re.compile(r"[^a-z0-9]+")
_TAG_LENGTH = 50  # flashcards.models.Tag.slug


class DeckImportError(ProblemList):
    """A package that cannot be imported, naming the file (and deck) at fault; nothing saved."""


@dataclass(frozen=True)
class Image:
    sha256: str
    content_type: str
    data: bytes


@dataclass
class DeckReport:
    """What an import made of the package(s), for the instructor."""

    decks: list[tuple[str, str, str, str, int]] = field(default_factory=list)
    # (deck, lesson title, lesson slug, topic, cards)
    note_types: Counter = field(default_factory=Counter)  # (note type, what it became): notes
    cards: Counter = field(default_factory=Counter)  # by kind
    images: int = 0  # distinct images the lessons show
    images_skipped: int = 0  # not a raster image, missing from the package, or too large
    sounds_skipped: int = 0  # [sound:...], <audio> and <video>
    notes_skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [
            f"Deck “{deck}” → lesson “{title}” ({slug}) in topic “{topic}”: {_many(count, 'card')}"
            for deck, title, slug, topic, count in self.decks
        ]
        lines += [
            f"Note type “{name}” → {became}: {_many(count, 'note')}"
            for (name, became), count in sorted(self.note_types.items())
        ]
        kinds = ", ".join(f"{self.cards[kind]:,} {kind}" for kind in (BASIC, REVERSED, CLOZE))
        lines.append(f"Cards: {kinds}.")
        lines.append(f"Images kept: {self.images:,}; images skipped: {self.images_skipped:,}.")
        lines.append(f"Audio and video skipped: {self.sounds_skipped:,}.")
        lines.append(f"Notes skipped: {len(self.notes_skipped):,}.")
        # A deck of thousands of empty notes would otherwise be thousands of lines.
        lines += [f"  {reason}" for reason in self.notes_skipped[:SKIPPED_LISTED]]
        if len(self.notes_skipped) > SKIPPED_LISTED:
            lines.append(f"  … and {len(self.notes_skipped) - SKIPPED_LISTED:,} more")
        return lines


def _many(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


@dataclass
class DeckRead:
    """A package read: the notes to import (name, Note), the images they show, the report."""

    notes: list[tuple[str, Note]]
    images: dict[str, Image]
    report: DeckReport


def deck_name_of(deck: str) -> str:
    """The name a deck's lesson is imported under (its `imported_from`): the same deck from any
    file, so a newer export updates the same lesson, and no other lesson is touched."""
    return f"Anki deck “{deck[:280]}”"


def read_decks(data: bytes, *, name: str, default_topic: str = DEFAULT_TOPIC) -> DeckRead:
    """The package's decks as notes. Raises DeckImportError (naming `name`) for a package that
    cannot be read or is over the limits."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise DeckImportError(
            [Problem(f"is {len(data):,} bytes; at most {MAX_UPLOAD_BYTES:,} (100 MB)", where=name)]
        )
    try:
        with open_package(data) as package:
            return _read(package, default_topic=default_topic)
    except PackageError as error:
        raise DeckImportError(problem_in(name, error)) from None


def _read(package: Package, *, default_topic: str) -> DeckRead:
    count = package.note_count()
    if count > MAX_NOTES:
        raise PackageError.one(
            f"holds {count:,} notes; at most {MAX_NOTES:,} may be imported at once: export "
            "fewer decks from Anki"
        )
    notetypes = package.notetypes
    decks = package.decks
    home: dict[int, int] = {}
    ordinals: dict[int, set[int]] = {}
    for card in package.cards():
        home.setdefault(card.note_id, card.deck_id)  # ordered by note, then ordinal
        ordinals.setdefault(card.note_id, set()).add(card.ordinal)
    report = DeckReport()
    fields = _Fields(package, report)
    by_deck: dict[str, list[tuple[CardSpec, str, str]]] = {}
    seen: set[str] = set()
    text = 0
    for position, anki in enumerate(package.notes(), start=1):
        where = f"note {position} (GUID {anki.guid})"
        deck_id = home.get(anki.id)
        if deck_id is None:
            report.notes_skipped.append(f"{where}: it has no cards")
            continue
        if anki.guid in seen:
            report.notes_skipped.append(f"{where}: its GUID is another note's too")
            continue
        seen.add(anki.guid)
        notetype = notetypes.get(anki.notetype_id)
        kind, became, front, back = _mapping(notetype, anki, ordinals[anki.id])
        report.note_types[(notetype.name if notetype else "(missing)", became)] += 1
        if max(len(front), len(back)) > MAX_FIELD_CHARACTERS:
            report.notes_skipped.append(
                f"{where}: a field is longer than {MAX_FIELD_CHARACTERS:,} characters"
            )
            continue
        text += len(front) + len(back)
        if text > MAX_TEXT_CHARACTERS:
            raise PackageError.one(
                f"its notes hold more than {MAX_TEXT_CHARACTERS:,} characters of text; at most "
                "that may be imported at once: export fewer decks from Anki"
            )
        front_html, back_html = fields.clean(front), fields.clean(back)
        skip = _why_skipped(kind, front_html, back_html)
        if skip:
            report.notes_skipped.append(f"{where}: {skip}")
            continue
        if kind == CLOZE:
            front_html = _escape_braces(front_html, keep_deletions=True)
        else:
            front_html = _escape_braces(front_html)
        back_html = _escape_braces(back_html)
        deck = decks.get(deck_id)
        deck_name = deck.name if deck else "Default"
        card = CardSpec(
            kind=kind,
            front=_block(front_html),
            back=_block(back_html) if back_html else "",
            tags=_tags(anki.tags),
            key=card_key(anki.guid),
        )
        first_tag = anki.tags[0] if anki.tags else ""
        by_deck.setdefault(deck_name, []).append(
            (card, _entry(card, front_html, back_html), first_tag)
        )

    notes: list[tuple[str, Note]] = []
    slugs: set[str] = set()
    for deck_name, entries in sorted(by_deck.items()):
        deck = next((d for d in decks.values() if d.name == deck_name), None)
        description = fields.clean(deck.description) if deck else ""
        title, topic = _title_and_topic(deck_name)
        slug = _unique_slug(_deck_slug(deck_name), slugs)
        body, cards = _body(description, entries)
        notes.append(
            (
                deck_name_of(deck_name),
                Note(
                    title=title,
                    slug=slug,
                    body=body,
                    topic=topic,
                    source=f"Anki deck “{deck_name}”"[:300],
                    summary=f"Imported from the Anki deck “{deck_name}”."[:300],
                    cards=tuple(cards),
                ),
            )
        )
        report.decks.append((deck_name, title, slug, topic or default_topic, len(cards)))
        report.cards.update(card.kind for card in cards)
    report.images = len(fields.images)
    return DeckRead(notes=notes, images=fields.images, report=report)


def card_key(guid: str) -> str:
    """The portal card's `id:` key for an Anki note: its GUID hashed, as keys are lowercase
    letters, digits, `-` and `_`, and a GUID is any text."""
    return "anki-" + hashlib.sha256(guid.encode()).hexdigest()[:24]


def _mapping(
    notetype: NoteType | None, note: AnkiNote, ordinals: set[int]
) -> tuple[str, str, str, str]:
    """(card kind, what the note type became as the report says it, front HTML, back HTML).
    A two-template type is reversed only for a note that has both cards in Anki: "Basic
    (optional reversed card)" makes the reverse only when its third field is filled."""
    values = list(note.fields) + ["", ""]
    if notetype is None:
        return BASIC, "basic cards (first two fields; its note type is missing)", *values[:2]
    names = list(notetype.fields)
    if names and names[0] == "Occlusion" and "Image" in names:
        # Image Occlusion: the first field is the masks' coordinates, not for reading.
        def named(*wanted: str) -> str:
            return " ".join(values[names.index(n)] for n in wanted if n in names)

        front = f"{named('Header')} {named('Image')}".strip()
        return (
            BASIC,
            "basic cards (image and header; the occlusions are lost)",
            front,
            named("Back Extra", "Comments").strip(),
        )
    if notetype.kind == ANKI_CLOZE:
        return CLOZE, "cloze cards", *values[:2]
    templates = notetype.templates
    if len(templates) == 1:
        return BASIC, "basic cards", *values[:2]
    if len(templates) == 2 and len(names) >= 2:
        asks_first = "{{" + names[0] + "}}" in templates[0].front
        asks_second = "{{" + names[1] + "}}" in templates[1].front
        if asks_first and asks_second and {0, 1} <= ordinals:
            return REVERSED, "reversed cards", *values[:2]
    return BASIC, "basic cards (first two fields)", *values[:2]


def _why_skipped(kind: str, front: str, back: str) -> str:
    if not _has_content(front):
        return "its front is empty"
    if kind != CLOZE and not _has_content(back):
        return "its back is empty"
    if kind == CLOZE and not cloze_deletions(front):
        return "its cloze text has no {{c1::...}} deletion"
    return ""


def _has_content(clean: str) -> bool:
    return "<img" in clean or bool(html.unescape(_TAG.sub("", clean)).strip())


class _Fields:
    """Cleans fields, keeping each image the package has once (by name, then by content)."""

    def __init__(self, package: Package, report: DeckReport):
        self.package = package
        self.report = report
        self.images: dict[str, Image] = {}
        self._urls: dict[str, str | None] = {}  # media name: served URL, or None if refused
        self._bytes = 0

    def clean(self, raw: str) -> str:
        if not raw:
            return ""
        text, sounds = _SOUND.subn("", raw)
        text, media = _without_audio_video(text)
        self.report.sounds_skipped += sounds + media
        text = _IMG.sub(self._image, text)
        clean = sanitize_html(text)
        # Whatever the rewriting missed is dropped: only the portal's copies are shown.
        clean = _IMG.sub(lambda m: m[0] if _served(m[0]) else "", clean)
        # One line: a blank line would end the Markdown HTML block. A character reference is the
        # same text to HTML, inside <pre> too.
        return clean.replace("\r", "").replace("\n", "&#10;").strip()

    def _image(self, match: re.Match) -> str:
        tag = match[0]
        src = _attribute(_SRC, tag)
        url = self._url(src) if src else None
        if url is None:
            self.report.images_skipped += 1
            return ""
        alt = _attribute(_ALT, tag)
        return f'<img src="{url}" alt="{html.escape(html.unescape(alt))}">'

    def _url(self, src: str) -> str | None:
        name = html.unescape(src)
        if name not in self._urls:
            self._urls[name] = self._store(name)
        return self._urls[name]

    def _store(self, name: str) -> str | None:
        data = None
        # The media list is read here, outside the per-file refusals below: a damaged or
        # oversized list is the package's error, not one image's.
        self.package.media_names  # noqa: B018
        for candidate in dict.fromkeys((name, urllib.parse.unquote(name))):
            try:
                data = self.package.media_file(candidate)
            except PackageError:
                return None  # over MAX_MEDIA_FILE_BYTES, or damaged
            if data is not None:
                break
        content_type = _raster_type(data) if data else None
        if content_type is None:
            return None
        sha = hashlib.sha256(data).hexdigest()
        if sha not in self.images:
            self._bytes += len(data)
            if self._bytes > MAX_IMAGES_BYTES:
                raise PackageError.one(
                    f"its images total more than {MAX_IMAGES_BYTES:,} bytes (100 MB); at most "
                    "that may be imported at once"
                )
            self.images[sha] = Image(sha, content_type, data)
        return image_url(sha, content_type)


def _without_audio_video(text: str) -> tuple[str, int]:
    """`text` without its <audio> and <video> elements and what they hold (sources, fallback
    text), and how many there were; one never closed drops only its own tag.

    One pass: each search goes on from where the last one stopped, and a kind found unclosed
    once is never searched for again (nothing closes it later either). A regular expression
    with a lazy body scanned to the end of the field for each unclosed tag: 280 KB took 45 s.
    """
    parts, count, position = [], 0, 0
    unclosed: set[str] = set()
    while (opening := _MEDIA_OPENING.search(text, position)) is not None:
        tag_end = text.find(">", opening.end())
        if tag_end == -1:
            break  # a tag cut off at the end: the sanitizer drops it
        kind = opening[1].lower()
        closing = None if kind in unclosed else _MEDIA_CLOSING[kind].search(text, tag_end)
        if closing is None:
            unclosed.add(kind)
            end = tag_end + 1
        else:
            closing_end = text.find(">", closing.end())
            end = len(text) if closing_end == -1 else closing_end + 1
        parts.append(text[position : opening.start()])
        count += 1
        position = end
    parts.append(text[position:])
    return "".join(parts), count


def _attribute(pattern: re.Pattern, tag: str) -> str:
    found = pattern.search(tag)
    return next((value for value in found.groups() if value is not None), "") if found else ""


def _served(tag: str) -> bool:
    return _attribute(_SRC, tag).startswith("/anki/media/")


def _raster_type(data: bytes) -> str | None:
    """The content type of a PNG, JPEG, GIF or WebP by its magic bytes; None for anything else
    (an SVG can carry scripts; whatever its name says)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif data.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif data.startswith((b"GIF87a", b"GIF89a")):
        kind = "gif"
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "webp"
    else:
        return None
    return IMAGE_TYPES[kind][1]


def _escape_braces(clean: str, *, keep_deletions: bool = False) -> str:
    """`{{` as text, except a cloze's own deletions: the card parser reads `{{` as a deletion."""
    if not keep_deletions:
        return clean.replace("{{", "&#123;&#123;")
    parts, last = [], 0
    for deletion in cloze_deletions(clean):
        parts.append(clean[last : deletion.start].replace("{{", "&#123;&#123;"))
        parts.append(clean[deletion.start : deletion.end])
        last = deletion.end
    parts.append(clean[last:].replace("{{", "&#123;&#123;"))
    return "".join(parts)


def _block(clean: str) -> str:
    """One line of sanitized HTML as a Markdown HTML block: passed through as it is."""
    return f"<div>{clean}</div>"


def _entry(card: CardSpec, front: str, back: str) -> str:
    """The note as the lesson reads it: its front, and its back beneath (a `<dl>`); a cloze
    with its deletions filled in and marked."""
    if card.kind == CLOZE:
        front = cloze_replace(front, lambda deletion: f"<mark>{deletion.text}</mark>")
    if not back:
        # A <dt> with no <dd> is not a definition list (axe's definition-list rule).
        return f"<div>{front}</div>"
    return f"<dl><dt>{front}</dt><dd>{back}</dd></dl>"


def _tags(tags: tuple[str, ...]) -> list[str]:
    """Anki's tags as the portal's: lowercase letters, digits and hyphens ("AWS::RDS" is
    "aws-rds")."""
    found = []
    for tag in tags:
        slug = _NOT_TAG_CHARACTER.sub("-", tag.lower()).strip("-")[:_TAG_LENGTH].strip("-")
        if slug:
            found.append(slug)
    return list(dict.fromkeys(found))


def _title_and_topic(deck_name: str) -> tuple[str, str]:
    """The lesson's title and topic; a top-level deck's topic is "" (the import's default
    topic, for a new lesson: a lesson moved to another topic stays there)."""
    parts = [part.strip() for part in deck_name.split("::") if part.strip()] or ["Default"]
    if len(parts) == 1:
        return parts[0][:_TITLE_LENGTH], ""
    return ": ".join(parts[1:])[:_TITLE_LENGTH], parts[0][:_TITLE_LENGTH]


def _deck_slug(deck_name: str) -> str:
    slug = slugify(deck_name.replace("::", " "))[:_SLUG_LENGTH].strip("-")
    # A name of no ASCII letters ("日本語") still gets an address, the same one every time.
    return slug or "anki-deck-" + hashlib.sha256(deck_name.encode()).hexdigest()[:12]


def _unique_slug(slug: str, taken: set[str]) -> str:
    candidate, number = slug, 2
    while candidate in taken:
        candidate, number = f"{slug}-{number}", number + 1
    taken.add(candidate)
    return candidate


def _body(description: str, entries: list[tuple[CardSpec, str, str]]) -> tuple[str, list]:
    """The lesson's Markdown: the deck's description, then its notes in `##` sections, by
    their first tag (in the order the tags first come), or in runs of SECTION_SIZE when the
    deck has no tags. Each card's section is its entry's."""
    groups: dict[str, list[tuple[CardSpec, str]]] = {}
    if any(tag for _, _, tag in entries):
        for card, entry, tag in entries:
            groups.setdefault(tag, []).append((card, entry))
        # Untagged notes last.
        if "" in groups:
            groups[""] = groups.pop("")
        headings = {tag: (tag.replace("::", " › ") if tag else "Other notes") for tag in groups}
    else:
        for index, (card, entry, _) in enumerate(entries):
            start = index - index % SECTION_SIZE
            end = min(start + SECTION_SIZE, len(entries))
            groups.setdefault(f"Notes {start + 1}–{end}", []).append((card, entry))
        headings = {key: key for key in groups}
    lines = [_block(description), ""] if description else []
    anchors: set[str] = set()
    cards = []
    for key, notes in groups.items():
        anchor = _unique_slug(slugify(headings[key])[:_SLUG_LENGTH] or "notes", anchors)
        text = _MARKDOWN_PUNCTUATION.sub(r"\\\1", headings[key][:_TITLE_LENGTH])
        lines += [f"## {text} {{#{anchor}}}", ""]
        for card, entry in notes:
            lines += [entry, ""]
            card.section = anchor
            cards.append(card)
    return "\n".join(lines).rstrip() + "\n", cards
