"""Importing Anki packages into the database (decks/services.py): draft lessons with their cards
and images in one go, idempotent by GUID, never touching another lesson, nothing saved on error."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone

from decks.importing import DeckImportError, card_key
from decks.models import DeckImage
from decks.package import build_package
from decks.selectors import deck_export_for
from decks.services import DeckFile, deck_import
from flashcards.models import Card, Prompt
from flashcards.selectors import Scope
from lessons.models import Lesson, Topic
from tests.conftest import make_lesson, make_topic, make_user
from tests.decks.conftest import APKG, COLPKG, LEGACY_APKG, PNG, add_media, add_note, export

pytestmark = pytest.mark.django_db


def _first(card: Card) -> Prompt:
    return card.prompts.order_by("ordinal").first()


def _rows() -> tuple[int, ...]:
    return (
        Lesson.objects.count(),
        Topic.objects.count(),
        Card.objects.count(),
        Prompt.objects.count(),
        DeckImage.objects.count(),
    )


@pytest.fixture
def deck(anki_collection, tmp_path):
    png = add_media(anki_collection, tmp_path, "diagram.png", PNG)
    add_note(anki_collection, "Basic", "AWS::RDS", f'Retention? <img src="{png}">', "35 days")
    add_note(anki_collection, "Basic (and reversed card)", "AWS::RDS", "Cloning", "CoW")
    add_note(anki_collection, "Cloze", "AWS::RDS", "{{c1::Aurora}} has {{c2::six}} copies", "")
    return anki_collection


@pytest.mark.parametrize("kind", [APKG, LEGACY_APKG, COLPKG])
def test_a_deck_becomes_a_draft_lesson_with_cards_prompts_and_its_image(deck, tmp_path, kind):
    result = deck_import(files=[DeckFile("deck.apkg", export(deck, tmp_path, kind))])
    lesson = Lesson.objects.get(slug="aws-rds")
    assert (lesson.title, lesson.topic.title, lesson.status) == ("RDS", "AWS", "draft")
    assert lesson.imported_from == "Anki deck “AWS::RDS”"
    cards = list(lesson.cards.order_by("position"))
    assert [card.kind for card in cards] == ["basic", "reversed", "cloze"]
    assert Prompt.objects.filter(card__lesson=lesson).count() == 1 + 2 + 2
    assert all(card.key.startswith("anki-") and card.section for card in cards)
    (image,) = DeckImage.objects.all()
    assert bytes(image.data) == PNG and image.size == len(PNG)
    assert image.get_absolute_url() in _first(cards[0]).front_html
    assert image.get_absolute_url() in lesson.body_html
    assert result.images_new == 1
    assert any("Note type “Cloze” → cloze cards: 1 note" in line for line in result.report.lines())


def test_importing_again_updates_rather_than_duplicates(deck, tmp_path):
    deck_import(files=[DeckFile("deck.apkg", export(deck, tmp_path))])
    lesson = Lesson.objects.get()
    lesson.status = Lesson.Status.PUBLISHED
    lesson.save()
    first = {card.key: card.pk for card in Card.objects.all()}
    note = deck.get_note(deck.find_notes("Cloning")[0])
    note.fields[1] = "Copy-on-write"
    deck.update_note(note)
    deck.remove_notes([deck.find_notes("Retention")[0]])
    deck_import(files=[DeckFile("newer.apkg", export(deck, tmp_path, COLPKG))])
    assert Lesson.objects.count() == 1
    assert Lesson.objects.get().status == "published"  # the instructor's choice is kept
    active = {card.key: card for card in Card.objects.filter(is_active=True)}
    assert set(active) < set(first)
    assert {card.pk for card in active.values()} <= set(first.values())
    cloning = active[card_key(note.guid)]
    assert "Copy-on-write" in _first(cloning).back_html
    assert Card.objects.filter(is_active=False).count() == 1
    assert DeckImage.objects.count() == 1


def test_a_dry_run_saves_nothing(deck, tmp_path):
    before = _rows()
    result = deck_import(files=[DeckFile("deck.apkg", export(deck, tmp_path))], dry_run=True)
    assert [change.action for change in result.changes][:1] == ["create"]
    assert _rows() == before


def test_a_lesson_that_did_not_come_from_the_deck_is_never_touched(deck, tmp_path):
    make_lesson(slug="aws-rds", title="Mine", topic=make_topic(title="Other"))
    before = _rows()
    with pytest.raises(DeckImportError) as error:
        deck_import(files=[DeckFile("deck.apkg", export(deck, tmp_path))])
    assert "address 'aws-rds' is taken by a lesson that did not come from this deck" in str(
        error.value
    )
    assert _rows() == before
    assert Lesson.objects.get().title == "Mine"


def test_a_learners_private_topic_is_never_used(deck, tmp_path):
    owner = make_user(username="someone")
    make_topic(title="AWS", slug="aws", owner=owner)
    before = _rows()
    with pytest.raises(DeckImportError) as error:
        deck_import(files=[DeckFile("deck.apkg", export(deck, tmp_path))])
    assert "topic's address 'aws' is taken" in str(error.value)
    assert _rows() == before


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: b"PK\x03\x04 truncated", "deck.apkg: is not an Anki package"),
        (
            lambda: _zip({"collection.anki2": b"SQLite format 3\x00" + b"\x00" * 200}),
            "deck.apkg: its collection is damaged",
        ),
        # A zip bomb: 2 MB of zeros in a few KB, over the (lowered) collection cap.
        (
            lambda: _zip({"collection.anki21": b"\x00" * (2 * 1024 * 1024)}),
            "deck.apkg: the collection is larger than 1 MB unpacked",
        ),
    ],
    ids=["truncated", "not-a-collection", "zip-bomb"],
)
def test_hostile_packages_are_clear_errors_and_save_nothing(
    deck, tmp_path, monkeypatch, make, message
):
    monkeypatch.setattr("decks.reading.MAX_COLLECTION_BYTES", 1024 * 1024)
    good = export(deck, tmp_path)
    before = _rows()
    with pytest.raises(DeckImportError) as error:
        deck_import(files=[DeckFile("good.apkg", good), DeckFile("deck.apkg", make())])
    assert message in str(error.value) and "good.apkg" not in str(error.value)
    assert _rows() == before


def test_a_non_anki_sqlite_file_is_refused(tmp_path):
    import sqlite3

    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE things (x)")
    connection.commit()
    connection.close()
    with pytest.raises(DeckImportError) as error:
        deck_import(files=[DeckFile("x.apkg", _zip({"collection.anki2": path.read_bytes()}))])
    assert "x.apkg: its collection is an SQLite database but not an Anki collection" in str(
        error.value
    )
    assert _rows() == (0, 0, 0, 0, 0)


def test_an_error_in_the_write_saves_no_image(deck, tmp_path, monkeypatch):
    """The images are written in the lessons' transaction: a failure after them undoes them."""
    from decks import services

    def write_then_fail(**kwargs):
        from notes.services import notes_import_parsed

        def failing_write():
            kwargs["write_also"]()
            raise RuntimeError("boom")

        return notes_import_parsed(**{**kwargs, "write_also": failing_write})

    monkeypatch.setattr(services, "notes_import_parsed", write_then_fail)
    with pytest.raises(RuntimeError):
        deck_import(files=[DeckFile("deck.apkg", export(deck, tmp_path))])
    assert _rows() == (0, 0, 0, 0, 0)


def test_round_trip_a_lessons_export_imports_as_the_same_cards(tmp_path):
    """Export a lesson with all three card kinds through decks/package.py, import the package:
    the same fronts, backs and kinds."""
    lesson = make_lesson(
        slug="source",
        status=Lesson.Status.PUBLISHED,
        body="## Part\n\nText.",
    )
    from tests.conftest import make_card

    make_card(lesson=lesson, kind="basic", front="What is *RDS*?", back="A database")
    make_card(lesson=lesson, kind="reversed", front="Cloning", back="Copy-on-write")
    make_card(lesson=lesson, kind="cloze", front="{{c1::Aurora::engine}} has six copies")
    export_ = deck_export_for(
        user=make_user(username="reader"),
        scope=Scope.parse(f"lesson:{lesson.slug}"),
        base_url="https://portal.example/",
        with_schedule=False,
        limit=100,
    )
    data = build_package(export_.notes, now=timezone.now())
    deck_import(files=[DeckFile("round.apkg", data)])
    imported = Lesson.objects.exclude(pk=lesson.pk).get()
    original = {card.kind: card for card in lesson.cards.all()}
    copies = {card.kind: card for card in imported.cards.all()}
    assert set(copies) == {"basic", "reversed", "cloze"}
    assert "What is <em>RDS</em>?" in _first(copies["basic"]).front_html
    assert "A database" in _first(copies["basic"]).back_html
    assert "Copy-on-write" in _first(copies["reversed"]).back_html
    assert "{{c1::Aurora::engine}}" in copies["cloze"].front
    for kind in ("basic", "reversed", "cloze"):
        assert copies[kind].prompts.count() == original[kind].prompts.count(), kind


def test_an_imported_decks_images_go_back_to_anki_with_its_export(deck, tmp_path, open_in_anki):
    """An imported deck, published, exported again: Anki gets the image file and a field that
    names it, not the site's address (which Anki could not show)."""
    deck_import(files=[DeckFile("deck.apkg", export(deck, tmp_path))])
    Lesson.objects.filter(slug="aws-rds").update(status=Lesson.Status.PUBLISHED)
    export_ = deck_export_for(
        user=None,
        scope=Scope.parse("lesson:aws-rds"),
        base_url="https://portal.example/",
        with_schedule=False,
    )
    (image,) = DeckImage.objects.all()
    name = f"{image.sha256}.png"
    assert export_.media == {name: PNG}
    collection = open_in_anki(build_package(export_.notes, now=timezone.now(), media=export_.media))
    fronts = [collection.get_note(i).fields[0] for i in collection.find_notes("")]
    assert any(f'src="{name}"' in front for front in fronts)
    assert not any("/anki/media/" in front for front in fronts)
    assert (Path(collection.media.dir()) / name).read_bytes() == PNG


def test_the_same_deck_in_two_files_is_an_error(deck, tmp_path):
    data = export(deck, tmp_path)
    with pytest.raises(DeckImportError) as error:
        deck_import(files=[DeckFile("one.apkg", data), DeckFile("two.apkg", data)])
    assert str(error.value) == (
        "two.apkg: holds the same deck as one.apkg (Anki deck “AWS::RDS”); import one"
    )
    assert _rows() == (0, 0, 0, 0, 0)


def test_two_decks_of_one_address_are_an_error_naming_both(anki_collection, tmp_path):
    """ "AWS::RDS" and "AWS RDS" both make the lesson address aws-rds: said, nothing saved."""
    add_note(anki_collection, "Basic", "AWS::RDS", "a", "b")
    first = export(anki_collection, tmp_path)
    anki_collection.decks.rename(anki_collection.decks.by_name("AWS::RDS"), "AWS RDS")
    second = export(anki_collection, tmp_path, LEGACY_APKG)
    with pytest.raises(DeckImportError) as error:
        deck_import(files=[DeckFile("a.apkg", first), DeckFile("b.apkg", second)])
    assert "gives the lesson address 'aws-rds', as Anki deck “AWS::RDS” does" in str(error.value)
    assert _rows() == (0, 0, 0, 0, 0)
