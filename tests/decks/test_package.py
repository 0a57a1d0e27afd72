"""The package builder alone (decks/package.py): no database, opened with Anki's own library."""

from __future__ import annotations

import datetime as dt
import zipfile
from io import BytesIO

from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

from decks.package import (
    BASIC,
    BASIC_MODEL_ID,
    CLOZE,
    CLOZE_MODEL_ID,
    REVERSED,
    REVERSED_MODEL_ID,
    DeckNote,
    Schedule,
    anki_day,
    anki_tag,
    build_package,
    deck_name,
)
from tests.decks.conftest import cards_of, notes_by_guid

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
LINK = '<a href="https://portal.example/rds/#backups">Read this in the lesson</a>'


def three_notes(**schedules) -> list[DeckNote]:
    return [
        DeckNote("basic-1", BASIC, "AWS::RDS", ("<p>Q?</p>", "<p>A.</p>", "", LINK), ("backups",)),
        DeckNote("reversed-1", REVERSED, "AWS::RDS", ("<p>Term</p>", "<p>Meaning</p>", "Tip", "")),
        DeckNote(
            "cloze-1",
            CLOZE,
            "AWS::Aurora",
            ("<p>Needs {{c1::Percona::a tool}} and {{c2::S3}}.</p>", "", "", LINK),
            ("my tag",),
        ),
    ] + [
        DeckNote(guid, BASIC, "AWS::RDS", ("q", "a", "", ""), (), s)
        for guid, s in schedules.items()
    ]


def test_three_note_types_with_their_fields_decks_and_tags(open_in_anki):
    collection = open_in_anki(build_package(three_notes(), now=NOW))
    notes = notes_by_guid(collection)
    assert set(notes) == {"basic-1", "reversed-1", "cloze-1"}
    basic, reversed_, cloze = notes["basic-1"], notes["reversed-1"], notes["cloze-1"]
    assert basic.note_type()["id"] == BASIC_MODEL_ID
    assert basic.note_type()["name"] == "Study portal: Basic"
    assert reversed_.note_type()["id"] == REVERSED_MODEL_ID
    assert cloze.note_type()["id"] == CLOZE_MODEL_ID
    assert list(basic.keys()) == ["Front", "Back", "Exam", "Lesson"]
    assert basic["Front"] == "<p>Q?</p>" and basic["Lesson"] == LINK
    assert cloze["Text"] == "<p>Needs {{c1::Percona::a tool}} and {{c2::S3}}.</p>"
    assert basic.tags == ["backups"] and cloze.tags == ["my_tag"]
    # One card for a basic note, two for a reversed one, one per deletion for a cloze.
    assert sorted(cards_of(collection, basic)) == [0]
    assert sorted(cards_of(collection, reversed_)) == [0, 1]
    assert sorted(cards_of(collection, cloze)) == [0, 1]
    decks = {
        collection.decks.name(collection.get_card(cid).did) for cid in collection.find_cards("")
    }
    assert decks == {"AWS::RDS", "AWS::Aurora"}
    # The hint stays a hint: the question shows it in the blank.
    front = cards_of(collection, cloze)[0].question()
    assert ">[a tool]</span>" in front and ">Percona<" not in front
    answer = cards_of(collection, basic)[0].answer()
    assert "Read this in the lesson" in answer


def test_unscheduled_cards_arrive_new(open_in_anki):
    collection = open_in_anki(build_package(three_notes(), now=NOW), with_scheduling=True)
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        assert (card.type, card.queue, card.memory_state) == (0, 0, None)


def test_a_review_card_keeps_its_memory_state_due_day_and_counts(open_in_anki):
    now = dt.datetime.now(dt.UTC)
    review = Schedule(
        state=2,
        due=now + dt.timedelta(days=5),
        stability=12.5,
        difficulty=4.25,
        last_review=now - dt.timedelta(days=3),
        reps=4,
        lapses=1,
        desired_retention=0.9,
    )
    data = build_package(three_notes(scheduled={0: review}), now=now)
    collection = open_in_anki(data, with_scheduling=True)
    card = cards_of(collection, notes_by_guid(collection)["scheduled"])[0]
    assert (card.type, card.queue) == (2, 2)
    assert card.due - collection.sched.today == 5
    assert card.ivl == 8
    assert (card.reps, card.lapses) == (4, 1)
    assert round(card.memory_state.stability, 3) == 12.5
    assert round(card.memory_state.difficulty, 3) == 4.25


def test_a_learning_card_comes_back_at_its_moment(open_in_anki):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    learning = Schedule(1, now + dt.timedelta(minutes=10), 0.5, 5.0, now, 1, 0, 0.9)
    collection = open_in_anki(
        build_package(three_notes(scheduled={0: learning}), now=now), with_scheduling=True
    )
    card = cards_of(collection, notes_by_guid(collection)["scheduled"])[0]
    assert (card.type, card.queue) == (1, 1)
    assert card.due == int((now + dt.timedelta(minutes=10)).timestamp())
    assert round(card.memory_state.stability, 3) == 0.5


def test_without_learning_progress_anki_makes_scheduled_cards_new(open_in_anki):
    review = Schedule(2, NOW + dt.timedelta(days=5), 12.5, 4.25, NOW, 4, 1, 0.9)
    collection = open_in_anki(build_package(three_notes(scheduled={0: review}), now=NOW))
    card = cards_of(collection, notes_by_guid(collection)["scheduled"])[0]
    assert card.type == 0


def test_importing_again_updates_notes_rather_than_adding_copies(open_in_anki):
    collection = open_in_anki(build_package(three_notes(), now=NOW))
    changed = three_notes()
    changed[0] = DeckNote("basic-1", BASIC, "AWS::RDS", ("<p>Q, reworded?</p>", "A", "", ""))
    package = BytesIO(build_package(changed, now=NOW + dt.timedelta(days=1)))
    path = collection.path.replace("collection0.anki2", "again.apkg")
    with open(path, "wb") as out:
        out.write(package.getvalue())
    collection.import_anki_package(
        ImportAnkiPackageRequest(package_path=path, options=ImportAnkiPackageOptions())
    )
    notes = notes_by_guid(collection)
    assert len(notes) == 3
    assert notes["basic-1"]["Front"] == "<p>Q, reworded?</p>"


def test_the_package_is_a_zip_with_a_collection_and_no_media():
    with zipfile.ZipFile(BytesIO(build_package(three_notes(), now=NOW))) as package:
        assert package.namelist() == ["collection.anki2", "media"]
        assert package.read("media") == b"{}"


def test_deck_names_and_tags():
    assert deck_name("AWS", "RDS & Aurora") == "AWS::RDS & Aurora"
    assert deck_name("A::B", " C ") == "A:B::C"
    assert anki_tag("two words") == "two_words"


def test_anki_days_turn_at_four_in_the_morning_not_at_midnight():
    night = dt.datetime(2026, 12, 1, 3, 59, tzinfo=dt.UTC)
    assert anki_day(night) == dt.date(2026, 11, 30)
    assert anki_day(night + dt.timedelta(minutes=1)) == dt.date(2026, 12, 1)
