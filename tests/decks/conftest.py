from __future__ import annotations

import pytest
from anki.collection import Collection
from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest


@pytest.fixture
def open_in_anki(tmp_path):
    """Imports package bytes into a new, empty Anki collection with Anki's own library, as the
    desktop app's File › Import does (`with_scheduling`: "Import any learning progress")."""
    opened = []

    def _open(data: bytes, *, with_scheduling: bool = False) -> Collection:
        package = tmp_path / f"deck{len(opened)}.apkg"
        package.write_bytes(data)
        collection = Collection(str(tmp_path / f"collection{len(opened)}.anki2"))
        opened.append(collection)
        collection.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(package),
                options=ImportAnkiPackageOptions(with_scheduling=with_scheduling),
            )
        )
        return collection

    yield _open
    for collection in opened:
        collection.close()


def notes_by_guid(collection: Collection) -> dict:
    return {note.guid: note for note in map(collection.get_note, collection.find_notes(""))}


def cards_of(collection: Collection, note) -> dict:
    """The note's cards by ordinal."""
    return {card.ord: card for card in note.cards()}


# A small PNG (1x1, transparent) and something that is not an image, as media.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)

# The formats Anki writes: the current .apkg, the "support older Anki versions" .apkg, and a
# whole collection (.colpkg, current format).
APKG, LEGACY_APKG, COLPKG = "apkg", "legacy-apkg", "colpkg"


@pytest.fixture
def anki_collection(tmp_path):
    """A new Anki collection (Anki's own library) with `deck_package` to export it; the test
    adds notes with `add_note`."""
    collection = Collection(str(tmp_path / "authored.anki2"))
    yield collection
    collection.close()


def add_note(collection: Collection, notetype: str, deck: str, *values: str, tags=()) -> object:
    note = collection.new_note(collection.models.by_name(notetype))
    for index, value in enumerate(values):
        note.fields[index] = value
    note.tags = list(tags)
    collection.add_note(note, collection.decks.id(deck))
    return note


def add_media(collection: Collection, tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return collection.media.add_file(str(path))


def export(collection: Collection, tmp_path, kind: str = APKG, *, scheduling=True) -> bytes:
    """The collection exported as Anki's File › Export writes it."""
    from anki.collection import ExportAnkiPackageOptions

    out = tmp_path / f"export-{kind}.{'colpkg' if kind == COLPKG else 'apkg'}"
    if kind == COLPKG:
        collection.export_collection_package(str(out), include_media=True, legacy=False)
        # Exporting a whole collection closes it (as Anki does); open it again for the test.
        collection.reopen()
    else:
        collection.export_anki_package(
            out_path=str(out),
            options=ExportAnkiPackageOptions(
                with_scheduling=scheduling,
                with_deck_configs=False,
                with_media=True,
                legacy=kind == LEGACY_APKG,
            ),
            limit=None,
        )
    return out.read_bytes()
