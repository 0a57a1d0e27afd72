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
