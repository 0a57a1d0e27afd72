"""An Anki package read as notes (decks/importing.py): decks to lessons, note types to card
kinds, fields cleaned, images kept by content, sound dropped, and what was skipped said."""

from __future__ import annotations

import pytest

from decks.importing import (
    MAX_NOTES,
    DeckImportError,
    card_key,
    deck_name_of,
    read_decks,
)
from flashcards.cards import BASIC, CLOZE, REVERSED, prompts_for
from portal.markdown import render_markdown
from tests.decks.conftest import APKG, COLPKG, LEGACY_APKG, PNG, add_media, add_note, export

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def add_three_field_type(collection) -> None:
    """A custom note type: three fields, one template asking the second."""
    models = collection.models
    notetype = models.new("Vocabulary")
    for name in ("Word", "Meaning", "Example"):
        models.add_field(notetype, models.new_field(name))
    template = models.new_template("Card 1")
    template["qfmt"] = "{{Word}}"
    template["afmt"] = "{{FrontSide}}<hr id=answer>{{Meaning}}<br>{{Example}}"
    models.add_template(notetype, template)
    models.add(notetype)


@pytest.fixture
def authored(anki_collection, tmp_path):
    """A deck of every kind: Basic (with an image and a sound), reversed, Cloze with a hint, a
    custom type, nested decks with a description, a top-level deck, and notes to skip."""
    collection = anki_collection
    png = add_media(collection, tmp_path, "diagram.png", PNG)
    add_media(collection, tmp_path, "evil.svg", SVG)
    add_media(collection, tmp_path, "song.mp3", b"ID3 not really")
    add_three_field_type(collection)
    add_note(
        collection,
        "Basic",
        "AWS::RDS::Backups",
        f'Retention? <img src="{png}"> [sound:song.mp3]',
        "1&ndash;35 <b>days</b>",
        tags=["AWS::RDS", "retention"],
    )
    add_note(collection, "Basic (and reversed card)", "AWS::RDS::Backups", "Cloning", "CoW")
    add_note(
        collection,
        "Cloze",
        "AWS::RDS::Backups",
        "{{c1::Aurora::engine}} keeps {{c2::six}} copies",
        "Across three AZs",
        tags=["aurora"],
    )
    add_note(collection, "Vocabulary", "Words", "*star* # not a heading", "a star", "ex")
    add_note(collection, "Basic", "Words", '<img src="evil.svg">', "an svg only")
    add_note(collection, "Basic", "Words", "Empty back", "<br>")
    deck = collection.decks.by_name("AWS::RDS::Backups")
    deck["desc"] = "About <b>backups</b><script>alert(1)</script>"
    collection.decks.save(deck)
    return collection


@pytest.mark.parametrize("kind", [APKG, LEGACY_APKG, COLPKG])
def test_decks_become_lessons_with_their_cards_in_every_format(authored, tmp_path, kind):
    read = read_decks(export(authored, tmp_path, kind), name="deck.apkg")
    lessons = dict(read.notes)
    assert set(lessons) == {deck_name_of("AWS::RDS::Backups"), deck_name_of("Words")}
    backups = lessons[deck_name_of("AWS::RDS::Backups")]
    assert (backups.title, backups.topic, backups.slug) == (
        "RDS: Backups",
        "AWS",
        "aws-rds-backups",
    )
    words = lessons[deck_name_of("Words")]
    assert (words.title, words.topic, words.slug) == ("Words", "", "words")
    assert ("Words", "Words", "words", "Anki decks", 1) in read.report.decks
    # In the lesson's order: by first tag ("AWS::RDS", "aurora"), untagged notes last.
    kinds = [card.kind for card in backups.cards]
    assert kinds == [BASIC, CLOZE, REVERSED]
    guids = {
        authored.get_note(i).fields[0][:6]: authored.get_note(i).guid
        for i in authored.find_notes("")
    }
    assert backups.cards[2].key == card_key(guids["Clonin"])
    assert backups.cards[0].tags == ["aws-rds", "retention"]
    (vocabulary,) = words.cards
    assert vocabulary.kind == BASIC
    report = read.report
    assert report.note_types[("Vocabulary", "basic cards")] == 1
    assert report.note_types[("Cloze", "cloze cards")] == 1
    assert report.note_types[("Basic (and reversed card)", "reversed cards")] == 1
    assert report.cards == {BASIC: 2, REVERSED: 1, CLOZE: 1}
    assert report.sounds_skipped == 1
    assert report.images == 1 and report.images_skipped == 1
    skipped = " ".join(report.notes_skipped)
    assert "its front is empty" in skipped and "its back is empty" in skipped


def test_fields_are_sanitized_html_that_markdown_leaves_alone(authored, tmp_path):
    read = read_decks(export(authored, tmp_path), name="deck.apkg")
    words = dict(read.notes)[deck_name_of("Words")]
    html = render_markdown(words.cards[0].front).html
    assert "*star* # not a heading" in html
    assert "<em>" not in html and "<h1" not in html
    backups = dict(read.notes)[deck_name_of("AWS::RDS::Backups")]
    assert "script" not in backups.body
    assert "<b>backups</b>" in render_markdown(backups.body).html
    assert "[sound:" not in backups.cards[0].front


def test_a_cloze_keeps_its_deletions_and_hints_and_renders_marked(authored, tmp_path):
    read = read_decks(export(authored, tmp_path), name="deck.apkg")
    cloze = dict(read.notes)[deck_name_of("AWS::RDS::Backups")].cards[1]
    assert "{{c1::Aurora::engine}}" in cloze.front
    first, second = prompts_for(cloze.kind, cloze.front, cloze.back)
    assert "<mark>[engine]</mark>" in render_markdown(first.front).html
    assert "<mark>Aurora</mark>" in render_markdown(first.back).html
    assert "Across three AZs" in render_markdown(first.back).html
    assert "<mark>[…]</mark>" in render_markdown(second.front).html


def test_the_lesson_reads_every_note_in_sections_its_cards_point_at(authored, tmp_path):
    read = read_decks(export(authored, tmp_path), name="deck.apkg")
    backups = dict(read.notes)[deck_name_of("AWS::RDS::Backups")]
    rendered = render_markdown(backups.body)
    anchors = {entry.id for entry in rendered.toc}
    assert {card.section for card in backups.cards} <= anchors
    assert '<h2 id="aws-rds">AWS › RDS</h2>' in rendered.html
    assert "<mark>Aurora</mark> keeps <mark>six</mark> copies" in rendered.html
    assert "<dt>Cloning</dt><dd>CoW</dd>" in rendered.html


def test_images_are_rewritten_to_the_portals_copy_and_others_dropped(authored, tmp_path):
    read = read_decks(export(authored, tmp_path), name="deck.apkg")
    (image,) = read.images.values()
    assert image.data == PNG and image.content_type == "image/png"
    front = dict(read.notes)[deck_name_of("AWS::RDS::Backups")].cards[0].front
    assert f'<img src="/anki/media/{image.sha256}.png" alt="">' in front
    assert "svg" not in str(read.notes)


def test_a_media_name_is_only_a_key(anki_collection, tmp_path):
    """A path-traversal or absolute name writes nothing anywhere; the image still maps."""
    collection = anki_collection
    add_media(collection, tmp_path, "plain.png", PNG)
    add_note(collection, "Basic", "Deck", '<img src="../../etc/passwd">', "back")
    add_note(collection, "Basic", "Deck", '<img src="/tmp/x.png">', "back")
    add_note(collection, "Basic", "Deck", '<img src="plain.png">', "back")
    before = sorted(p.name for p in tmp_path.iterdir())
    read = read_decks(export(collection, tmp_path), name="deck.apkg")
    assert len(read.images) == 1
    assert read.report.images_skipped == 2
    cards = dict(read.notes)[deck_name_of("Deck")].cards
    assert [card.front.count("/anki/media/") for card in cards] == [1]
    assert len(read.report.notes_skipped) == 2
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("export")) == [
        name for name in before if not name.startswith("export")
    ]


def test_scripts_handlers_styles_and_remote_images_are_gone(anki_collection, tmp_path):
    add_note(
        anki_collection,
        "Basic",
        "Deck",
        '<img src="x.png" onerror="alert(1)"><span style="color:red" onclick="x()">Hi</span>'
        '<img src="https://evil.example/p.png">',
        "<script>alert(1)</script>Back <audio src=a.mp3>x</audio><video src=b.mp4></video>",
    )
    read = read_decks(export(anki_collection, tmp_path), name="deck.apkg")
    (card,) = dict(read.notes)[deck_name_of("Deck")].cards
    text = card.front + card.back
    for gone in ("onerror", "onclick", "style", "script", "evil.example", "<img", "audio", "video"):
        assert gone not in text
    assert read.report.sounds_skipped == 2


def test_braces_that_are_not_deletions_are_text(anki_collection, tmp_path):
    add_note(anki_collection, "Basic", "Deck", "Template {{Front}}?", "{{c1::not a cloze}}")
    add_note(anki_collection, "Cloze", "Deck", "{{c1::x}} and {{literal", "")
    read = read_decks(export(anki_collection, tmp_path), name="deck.apkg")
    basic, cloze = dict(read.notes)[deck_name_of("Deck")].cards
    assert "{{" not in basic.front + basic.back
    assert "{{c1::x}}" in cloze.front and "{{literal" not in cloze.front
    assert "{{Front}}" in render_markdown(basic.front).html


def test_a_multiline_field_and_pre_stay_in_one_html_block(anki_collection, tmp_path):
    add_note(anki_collection, "Basic", "Deck", "<pre>a\n\nb</pre>", "line one\n\n# two")
    read = read_decks(export(anki_collection, tmp_path), name="deck.apkg")
    (card,) = dict(read.notes)[deck_name_of("Deck")].cards
    assert "\n" not in card.front and "\n" not in card.back
    assert "<pre" in render_markdown(card.front).html
    assert "a\n\nb</pre>" in render_markdown(card.front).html
    assert "<h1" not in render_markdown(card.back).html


def test_too_many_notes_is_a_clear_error(anki_collection, tmp_path, monkeypatch):
    monkeypatch.setattr("decks.importing.MAX_NOTES", 1)
    add_note(anki_collection, "Basic", "Deck", "a", "b")
    add_note(anki_collection, "Basic", "Deck", "c", "d")
    with pytest.raises(DeckImportError) as error:
        read_decks(export(anki_collection, tmp_path), name="big.apkg")
    assert str(error.value.problems[0]).startswith("big.apkg")
    assert "holds 2 notes; at most 1" in str(error.value)
    assert MAX_NOTES == 10_000


def test_a_field_too_long_skips_its_note_and_too_much_text_is_refused(
    anki_collection, tmp_path, monkeypatch
):
    monkeypatch.setattr("decks.importing.MAX_FIELD_CHARACTERS", 10)
    add_note(anki_collection, "Basic", "Deck", "short", "back")
    add_note(anki_collection, "Basic", "Deck", "a front of more than ten", "back")
    read = read_decks(export(anki_collection, tmp_path), name="deck.apkg")
    (card,) = dict(read.notes)[deck_name_of("Deck")].cards
    assert "short" in card.front
    assert read.report.notes_skipped[0].endswith("a field is longer than 10 characters")
    monkeypatch.setattr("decks.importing.MAX_TEXT_CHARACTERS", 8)
    with pytest.raises(DeckImportError) as error:
        read_decks(export(anki_collection, tmp_path), name="deck.apkg")
    assert "deck.apkg: its notes hold more than 8 characters of text" in str(error.value)


@pytest.mark.parametrize(
    "hostile",
    ["<audio>" * 12_000, "<video src=x>" * 7_000, "[sound:" * 12_000, "<img" * 20_000],
)
def test_tags_that_never_close_are_read_in_one_pass(anki_collection, tmp_path, hostile):
    """Each of these (under the field's limit) took seconds with the expressions that scanned
    to the end of the field for every opening; they are dropped (or left to the sanitizer) in
    one pass."""
    add_note(anki_collection, "Basic", "Deck", f"front {hostile} end", "back")
    read = read_decks(export(anki_collection, tmp_path), name="deck.apkg")
    (card,) = dict(read.notes)[deck_name_of("Deck")].cards
    assert card.front.startswith("<div>front")
    # An "<img" never closed takes the rest of the field into its tag, as a browser reads it.
    assert "end" in card.front or hostile.startswith("<img")
    assert "<audio" not in card.front and "<video" not in card.front


def test_a_file_that_is_not_a_package_is_a_clear_error():
    with pytest.raises(DeckImportError) as error:
        read_decks(b"not a zip", name="notes.txt")
    assert "notes.txt" in str(error.value) and "not an Anki package" in str(error.value)


def test_an_unclosed_audio_drops_only_itself_and_alt_text_is_kept(anki_collection, tmp_path):
    png = add_media(anki_collection, tmp_path, "a.png", PNG)
    add_note(
        anki_collection,
        "Basic",
        "Deck",
        f'<audio src="a.mp3">Before <img src="{png}" alt="A &amp; B"> after',
        "back",
    )
    read = read_decks(export(anki_collection, tmp_path), name="deck.apkg")
    (card,) = dict(read.notes)[deck_name_of("Deck")].cards
    assert "Before" in card.front and "after" in card.front
    assert 'alt="A &amp; B"' in card.front
    assert read.report.sounds_skipped == 1


def test_the_report_lists_at_most_twenty_skipped_notes(anki_collection, tmp_path):
    for number in range(25):
        add_note(anki_collection, "Basic", "Deck", f"front {number}", "")
    add_note(anki_collection, "Basic", "Deck", "kept", "back")
    lines = read_decks(export(anki_collection, tmp_path), name="deck.apkg").report.lines()
    assert "Notes skipped: 25." in lines
    assert sum(line.startswith("  note ") for line in lines) == 20
    assert lines[-1] == "  … and 5 more"


def test_image_occlusion_is_basic_and_optional_reversed_as_anki_made_it(anki_collection, tmp_path):
    png = add_media(anki_collection, tmp_path, "map.png", PNG)
    add_note(
        anki_collection,
        "Image Occlusion",
        "Deck",
        "{{c1::image-occlusion:rect:left=.1:top=.1:width=.2:height=.2}}",
        f'<img src="{png}">',
        "Regions",
        "The north",
    )
    add_note(anki_collection, "Basic (optional reversed card)", "Deck", "One way", "Back")
    add_note(anki_collection, "Basic (optional reversed card)", "Deck", "Both", "Back", "y")
    read = read_decks(export(anki_collection, tmp_path), name="deck.apkg")
    occlusion, one_way, both = dict(read.notes)[deck_name_of("Deck")].cards
    # The reverse only where Anki made it: the third field filled.
    assert (occlusion.kind, one_way.kind, both.kind) == (BASIC, BASIC, REVERSED)
    assert "Regions" in occlusion.front and "/anki/media/" in occlusion.front
    assert "image-occlusion" not in occlusion.front + occlusion.back
    assert "The north" in occlusion.back
    became = read.report.note_types
    assert became[("Image Occlusion", "basic cards (image and header; the occlusions are lost)")]
    assert became[("Basic (optional reversed card)", "basic cards (first two fields)")] == 1
    assert became[("Basic (optional reversed card)", "reversed cards")] == 1


def test_a_note_without_a_back_reads_as_a_paragraph_not_a_half_list(anki_collection, tmp_path):
    add_note(anki_collection, "Cloze", "Deck", "{{c1::Aurora}} keeps six copies", "")
    read = read_decks(export(anki_collection, tmp_path), name="deck.apkg")
    body = dict(read.notes)[deck_name_of("Deck")].body
    assert "<div><mark>Aurora</mark> keeps six copies</div>" in body
    assert "<dl>" not in body
