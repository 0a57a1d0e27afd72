"""What an export holds for a reader (decks/selectors.py), opened with Anki's own library."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from decks.guids import card_guid
from decks.package import anki_day, build_package
from decks.selectors import deck_export_for, export_scopes
from flashcards.card_sync import card_prompts_sync
from flashcards.models import Card, Prompt, PromptState, Tag
from flashcards.selectors import Scope
from tests.conftest import grade_now, make_card, make_lesson, make_topic, make_user
from tests.decks.conftest import cards_of, notes_by_guid
from tests.practice.conftest import three_option_questions

pytestmark = pytest.mark.django_db

BASE = "https://portal.example/"
KINDS = (Card.Kind.BASIC, Card.Kind.REVERSED, Card.Kind.CLOZE, Card.Kind.QUESTION)


def guid_of_kind(kind):
    card = Card.objects.get(lesson__slug="backups", kind=kind)
    return card_guid(card, "backups")


@pytest.fixture
def lesson():
    """A lesson with one card of each kind: basic (with a key, a tag, a section and an exam
    line), reversed, cloze with a hint, and an exam-style question."""
    lesson = make_lesson(
        title="Backups", slug="backups", topic=make_topic(title="RDS & Aurora", slug="rds")
    )
    basic = make_card(
        lesson=lesson,
        front="How long are **automated** backups kept?",
        back="1 to 35 days.",
        key="retention",
        section="first-part",
        exam="RDS keeps automated backups 1 to 35 days.",
    )
    basic.tags.add(Tag.objects.create(slug="retention"))
    make_card(lesson=lesson, kind=Card.Kind.REVERSED, front="Aurora cloning", back="Copy-on-write")
    make_card(
        lesson=lesson,
        kind=Card.Kind.CLOZE,
        front="Aurora MySQL from S3 needs {{c1::Percona XtraBackup::a tool}} and {{c2::S3}}.",
        back="An extra.",
    )
    three_option_questions(1, lesson)
    return lesson


def export(user=None, scope="lesson:backups", *, schedule=False):
    return deck_export_for(
        user=user, scope=Scope.parse(scope), base_url=BASE, with_schedule=schedule
    )


def test_a_lesson_as_an_anki_deck(lesson, open_in_anki):
    result = export()
    collection = open_in_anki(build_package(result.notes, now=timezone.now()))
    notes = notes_by_guid(collection)
    cards = list(Card.objects.filter(lesson=lesson).order_by("position", "id"))
    assert list(notes) == [card_guid(card, "backups") for card in cards]
    by_kind = {card.kind: notes[card_guid(card, "backups")] for card in cards}
    basic, reversed_, cloze, question = (by_kind[kind] for kind in KINDS)
    assert basic.note_type()["name"] == "Study portal: Basic"
    assert reversed_.note_type()["name"] == "Study portal: Basic (and reversed card)"
    assert cloze.note_type()["name"] == "Study portal: Cloze"
    assert question.note_type()["name"] == "Study portal: Basic"
    assert basic["Front"] == "<p>How long are <strong>automated</strong> backups kept?</p>"
    assert basic["Back"] == "<p>1 to 35 days.</p>"
    assert basic["Exam"] == "RDS keeps automated backups 1 to 35 days."
    assert basic["Lesson"] == (
        '<a href="https://portal.example/lessons/backups/#first-part">Read this in the lesson</a>'
    )
    assert basic.tags == ["retention"]
    assert (reversed_["Front"], reversed_["Back"]) == (
        "<p>Aurora cloning</p>",
        "<p>Copy-on-write</p>",
    )
    assert "{{c1::Percona XtraBackup::a tool}}" in cloze["Text"]
    assert cloze["Back Extra"] == "<p>An extra.</p>"
    assert sorted(cards_of(collection, cloze)) == [0, 1]
    # A question: stem and lettered options in front, the answer sheet (right, and why) behind.
    assert "Question 0: which one?" in question["Front"]
    assert "Option C of question 0." in question["Front"] and "Why" not in question["Front"]
    assert "Why B is right." in question["Back"]
    decks = {collection.decks.name(collection.get_card(c).did) for c in collection.find_cards("")}
    assert decks == {"RDS & Aurora::Backups"}
    assert result.scheduled == 0


def test_two_exports_give_the_same_guids_and_an_edited_card_keeps_its_own(lesson):
    first = [note.guid for note in export().notes]
    assert [note.guid for note in export().notes] == first
    for card in Card.objects.filter(lesson=lesson):
        card.front = card.front.replace("Aurora", "Amazon Aurora") + " (edited)"
        card.save()
        card_prompts_sync(card)
    again = export().notes
    assert [note.guid for note in again] == first
    assert all("(edited)" in note.fields[0] for note in again)


def test_a_keyed_card_is_named_by_its_lesson_and_key_as_a_progress_export_names_it(lesson):
    card = Card.objects.get(lesson=lesson, key="retention")
    copy = make_card(lesson=make_lesson(slug="other"), key="retention")
    assert card_guid(card, "backups") != card_guid(copy, "other")
    card.pk = 999_999  # the row is not part of a keyed card's name: another site's copy matches
    assert card_guid(card, "backups") in {note.guid for note in export().notes}


def test_the_scopes_a_topic_a_tag_and_everything(lesson):
    other = make_card(lesson=make_lesson(slug="elsewhere"))
    assert len(export(scope="topic:rds").notes) == 4
    basic = guid_of_kind(Card.Kind.BASIC)
    assert [n.guid for n in export(scope="tag:retention").notes] == [basic]
    assert len(export(scope="all").notes) == 5
    assert card_guid(other, "elsewhere") in {n.guid for n in export(scope="all").notes}


def test_a_private_note_is_exported_to_its_owner_alone(lesson, learner):
    mine = make_lesson(slug="mine", topic=make_topic(owner=learner))
    card = make_card(lesson=mine, front="My own question?")
    guid = card_guid(card, "mine")
    assert guid in {n.guid for n in export(learner, scope="all").notes}
    assert [n.guid for n in export(learner, scope="lesson:mine").notes] == [guid]
    for reader in (None, make_user()):
        assert guid not in {n.guid for n in export(reader, scope="all").notes}
        assert export(reader, scope="lesson:mine").notes == []
        assert export(reader, scope=f"topic:{mine.topic.slug}").notes == []


def test_a_reversed_card_whose_first_direction_is_retired_keeps_its_front_and_back(lesson):
    Prompt.objects.filter(card__kind=Card.Kind.REVERSED, ordinal=1).update(is_active=False)
    (note,) = [n for n in export().notes if n.kind == "reversed"]
    assert note.fields[:2] == ("<p>Aurora cloning</p>", "<p>Copy-on-write</p>")


def test_drafts_and_retired_cards_are_left_out(lesson, instructor):
    draft = make_lesson(slug="draft", status="draft")
    make_card(lesson=draft)
    Card.objects.filter(lesson=lesson, kind=Card.Kind.REVERSED).update(is_active=False)
    assert export(instructor, scope="lesson:draft").notes == []
    assert len(export(instructor).notes) == 3


def test_export_scopes_offer_what_the_reader_may_study(lesson, learner):
    mine = make_lesson(title="Mine", slug="mine", topic=make_topic(owner=learner, slug="own"))
    make_card(lesson=mine)
    offered = {value for _, choices in export_scopes(learner) for value, _ in choices}
    assert {"all", "topic:rds", "lesson:backups", "tag:retention", "lesson:mine"} <= offered
    visitor = {value for _, choices in export_scopes(None) for value, _ in choices}
    assert "lesson:mine" not in visitor and "topic:own" not in visitor


def test_a_learners_schedule_goes_into_the_package(lesson, learner, open_in_anki):
    now = timezone.now()
    basic, cloze = (
        Prompt.objects.get(card__lesson=lesson, card__kind=Card.Kind.BASIC),
        Prompt.objects.get(card__lesson=lesson, card__kind=Card.Kind.CLOZE, ordinal=2),
    )
    grade_now(learner, basic, 3, now - dt.timedelta(days=10))
    grade_now(learner, basic, 3, now - dt.timedelta(days=9))
    grade_now(learner, cloze, 1, now - dt.timedelta(minutes=1))
    states = {s.prompt_id: s for s in PromptState.objects.filter(user=learner)}
    result = export(learner, schedule=True)
    assert result.scheduled == 2
    assert export(None, schedule=True).scheduled == 0  # a visitor has no schedule to give
    assert export(make_user(), schedule=True).scheduled == 0
    collection = open_in_anki(build_package(result.notes, now=now), with_scheduling=True)
    notes = notes_by_guid(collection)
    review = cards_of(collection, notes[card_guid(basic.card, "backups")])[0]
    state = states[basic.pk]
    assert state.state == PromptState.State.REVIEW
    assert (review.type, review.queue) == (2, 2)
    local_due = anki_day(state.due) - anki_day(now)
    assert review.due - collection.sched.today == local_due.days
    assert round(review.memory_state.stability, 2) == round(state.stability, 2)
    assert round(review.memory_state.difficulty, 2) == round(state.difficulty, 2)
    assert review.reps == state.reps
    cloze_cards = cards_of(collection, notes[card_guid(cloze.card, "backups")])
    learning = cloze_cards[1]
    assert (learning.type, learning.queue) == (1, 1)
    assert learning.due == int(states[cloze.pk].due.timestamp())
    assert cloze_cards[0].type == 0  # deletion 1, never studied, stays new
    others = [c for n in notes.values() for c in n.cards() if c.id not in (review.id, learning.id)]
    assert {card.type for card in others} == {0}


def test_more_prompts_than_the_limit_is_too_large(lesson):
    assert len(export().notes) == 4  # six prompts: a reversed card and a cloze give two each
    exactly = deck_export_for(user=None, scope=Scope(), base_url=BASE, with_schedule=False, limit=6)
    assert len(exactly.notes) == 4 and not exactly.too_large
    over = deck_export_for(user=None, scope=Scope(), base_url=BASE, with_schedule=False, limit=5)
    assert over.too_large and over.notes == []
