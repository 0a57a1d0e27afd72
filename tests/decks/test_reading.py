"""Reading Anki's own packages, in each format it writes, and refusing what is not one."""

from __future__ import annotations

import io
import sqlite3
import zipfile

import pytest
import zstandard

from decks.reading import (
    CLOZE,
    MAX_COLLECTION_BYTES,
    MAX_MEDIA_LIST_BYTES,
    NORMAL,
    PackageError,
    open_package,
)
from tests.decks.conftest import APKG, COLPKG, LEGACY_APKG, PNG, add_media, add_note, export


@pytest.fixture
def authored(anki_collection, tmp_path):
    name = add_media(anki_collection, tmp_path, "diagram.png", PNG)
    add_note(
        anki_collection,
        "Basic",
        "AWS::RDS",
        f'Retention? <img src="{name}">',
        "1&ndash;35 days",
        tags=["rds", "backups"],
    )
    add_note(anki_collection, "Basic (and reversed card)", "AWS::RDS", "Cloning", "Copy-on-write")
    add_note(anki_collection, "Cloze", "AWS::Aurora", "{{c1::Aurora}} keeps {{c2::six}} copies")
    deck = anki_collection.decks.by_name("AWS::RDS")
    deck["desc"] = "Backups <b>and</b> restores"
    anki_collection.decks.save(deck)
    return anki_collection


@pytest.mark.parametrize("kind", [APKG, LEGACY_APKG, COLPKG])
def test_reads_notes_types_decks_and_media_of_each_format(authored, tmp_path, kind):
    with open_package(export(authored, tmp_path, kind)) as package:
        types = {t.name: t for t in package.notetypes.values()}
        assert types["Basic"].kind == NORMAL
        assert types["Basic"].fields == ("Front", "Back")
        assert [t.front for t in types["Basic (and reversed card)"].templates] == [
            "{{Front}}",
            "{{Back}}",
        ]
        assert types["Cloze"].kind == CLOZE
        decks = {d.name: d for d in package.decks.values()}
        assert decks["AWS::RDS"].description == "Backups <b>and</b> restores"
        notes = list(package.notes())
        by_front = {n.fields[0].split(" <")[0]: n for n in notes}
        assert by_front["Retention?"].fields[1] == "1&ndash;35 days"
        assert set(by_front["Retention?"].tags) == {"rds", "backups"}
        assert package.notetypes[by_front["Cloning"].notetype_id].name.startswith("Basic (and")
        cards = list(package.cards())
        assert len(cards) == 1 + 2 + 2
        deck_of = {card.note_id: package.decks[card.deck_id].name for card in cards}
        assert deck_of[by_front["Retention?"].id] == "AWS::RDS"
        guids = {authored.get_note(i).guid for i in authored.find_notes("")}
        assert {n.guid for n in notes} == guids
        assert package.media_file("diagram.png") == PNG
        assert package.media_file("missing.png") is None


def test_reads_the_review_log(authored, tmp_path):
    card_id = authored.find_cards("")[0]
    authored.db.execute(
        "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
        " VALUES (1767225600000, ?, -1, 3, 4, 0, 0, 5200, 0)",
        card_id,
    )
    with open_package(export(authored, tmp_path, COLPKG)) as package:
        (review,) = package.reviews()
        assert (review.id, review.card_id, review.ease, review.interval) == (
            1767225600000,
            card_id,
            3,
            4,
        )
        assert (review.time_ms, review.kind) == (5200, 0)
        guids = {card: guid for card, guid, _ in package.card_guids()}
        assert guids[card_id] == authored.get_card(card_id).note().guid


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _refused(data: bytes) -> str:
    with pytest.raises(PackageError) as caught:
        open_package(data).close()
    return str(caught.value)


def test_refuses_what_is_not_a_zip():
    assert "not a zip file" in _refused(b"# A Markdown note\n")


def test_refuses_a_zip_without_a_collection():
    assert "holds no collection" in _refused(_zip({"notes.txt": b"hello"}))


def test_refuses_a_truncated_package(authored, tmp_path):
    data = export(authored, tmp_path, APKG)
    message = _refused(data[: len(data) // 2])
    assert "damaged" in message or "not a zip" in message


def test_refuses_an_sqlite_file_that_is_not_a_collection(tmp_path):
    path = tmp_path / "other.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE things (id INTEGER)")
    connection.commit()
    connection.close()
    message = _refused(_zip({"collection.anki2": path.read_bytes()}))
    assert "not an Anki collection" in message
    assert "notes" in message


def test_refuses_a_collection_that_is_not_sqlite():
    assert "not an SQLite database" in _refused(_zip({"collection.anki21": b"x" * 4096}))


def test_refuses_a_zip_bomb_whatever_the_zip_declares():
    # 300 MB of zeros compress to a few hundred KB; the reader stops at the limit.
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("collection.anki21", "w", force_zip64=True) as member,
    ):
        chunk = b"\0" * (1024 * 1024)
        for _ in range(MAX_COLLECTION_BYTES // len(chunk) + 8):
            member.write(chunk)
    assert "larger than 256 MB unpacked" in _refused(bomb.getvalue())


def test_refuses_a_zstd_bomb():
    frame = zstandard.ZstdCompressor().compress(b"\0" * (MAX_COLLECTION_BYTES + 1))
    assert "larger than 256 MB unpacked" in _refused(_zip({"collection.anki21b": frame}))


def test_refuses_a_collection_whose_tables_are_views(tmp_path):
    # A view could make every read compute for minutes; only real tables are read.
    path = tmp_path / "views.anki2"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE col (ver INTEGER, models TEXT, decks TEXT)")
    connection.execute("INSERT INTO col VALUES (11, '{}', '{}')")
    connection.execute("CREATE TABLE cards (id INTEGER)")
    connection.execute("CREATE TABLE revlog (id INTEGER)")
    connection.execute(
        "CREATE VIEW notes AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n)"
        " SELECT x AS id FROM n"
    )
    connection.commit()
    connection.close()
    assert "no notes table" in _refused(_zip({"collection.anki2": path.read_bytes()}))


@pytest.mark.parametrize("kind", [APKG, LEGACY_APKG])
def test_refuses_a_media_list_bomb(authored, tmp_path, kind):
    """The media list is read capped too, whatever the zip declares: 17 MB of spaces packs
    into a few KB."""
    with zipfile.ZipFile(io.BytesIO(export(authored, tmp_path, kind))) as original:
        members = {name: original.read(name) for name in original.namelist()}
    blank = b" " * (MAX_MEDIA_LIST_BYTES + 1024 * 1024)
    members["media"] = zstandard.ZstdCompressor().compress(blank) if kind == APKG else blank
    with open_package(_zip(members)) as package, pytest.raises(PackageError) as caught:
        package.media_names  # noqa: B018 (reading it is the test)
    assert "its media list is larger than 16 MB unpacked" in str(caught.value)
