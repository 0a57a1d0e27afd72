"""Keeping a lesson's cards in step with its note: progress kept, changes resurfaced."""

from __future__ import annotations

import pytest

from flashcards.card_sync import CardsInvalid, cards_sync_from_note
from flashcards.cards import parse_cards
from flashcards.grading import grade_submit
from flashcards.models import Card, Prompt, Review
from flashcards.scheduling import Memory
from portal.problems import Problem
from tests.conftest import grade_now, make_lesson
from tests.flashcards.conftest import NOW, state_of, token_for

pytestmark = pytest.mark.django_db


SECTIONED = "## Backups\n\nText.\n\n## Snapshots\n\nMore.\n"


def sync(lesson, text):
    return cards_sync_from_note(lesson=lesson, specs=parse_cards(text), now=NOW)


def test_reimporting_keeps_progress_on_unchanged_cards_and_resurfaces_changed_ones(learner):
    lesson = make_lesson(body=SECTIONED)
    first = sync(
        lesson, "Q: Keep me?\nA: Yes.\nsection: backups\n\nQ: Change me?\nA: Old answer.\n"
    )
    assert (first.created, first.action) == (2, "create")
    keep, change = (Prompt.objects.get(card__front=f) for f in ("Keep me?", "Change me?"))
    for prompt in (keep, change):
        grade_submit(user=learner, token=token_for(learner, prompt), rating=4, now=NOW)
    kept_state = Memory.from_row(state_of(learner, keep))

    result = sync(
        lesson, "Q: Keep me?\nA: Yes.\nsection: backups\n\nQ: Change me?\nA: New answer.\n"
    )
    assert (result.unchanged, result.updated, result.created, result.retired) == (1, 1, 0, 0)
    assert Memory.from_row(state_of(learner, keep)) == kept_state
    changed = Prompt.objects.get(pk=change.pk)
    assert "New answer." in changed.back_html and changed.changed_at == NOW
    assert state_of(learner, changed).due == NOW  # due again now
    assert state_of(learner, changed).stability == kept_state.stability  # progress kept

    gone = sync(lesson, "Q: Keep me?\nA: Yes.\nsection: backups\n")
    assert gone.retired == 1
    assert not Card.objects.get(front="Change me?").is_active
    assert Review.objects.filter(prompt=change).exists()  # history kept


def test_a_card_naming_a_missing_section_is_refused(learner):
    lesson = make_lesson(slug="backups", body=SECTIONED)
    with pytest.raises(CardsInvalid) as invalid:
        sync(lesson, "\nQ: F?\nA: B.\nsection: nowhere\n")
    assert invalid.value.problems == [
        Problem("card 'F?': section '#nowhere' is not a heading of lesson 'backups'", 2)
    ]
    assert not Card.objects.exists()


def test_an_exam_line_is_stored_and_changing_it_keeps_progress_without_marking_updated(learner):
    lesson = make_lesson()
    sync(lesson, "Q: Can Aurora backups be disabled?\nA: No.\nexam: Aurora: cannot disable.\n")
    card = Card.objects.get()
    assert card.exam == "Aurora: cannot disable."
    prompt = card.prompts.get()
    grade_submit(user=learner, token=token_for(learner, prompt), rating=4, now=NOW)
    before = Memory.from_row(state_of(learner, prompt))

    # Changed, like tags or a section: the card is rewritten, its prompt left as it was.
    result = sync(lesson, "Q: Can Aurora backups be disabled?\nA: No.\nexam: Aurora backups.\n")
    assert (result.updated, result.unchanged, result.created) == (1, 0, 0)
    assert Card.objects.get().exam == "Aurora backups."
    prompt.refresh_from_db()
    assert prompt.changed_at is None  # not "Updated" to learners
    assert Memory.from_row(state_of(learner, prompt)) == before  # nor due again now

    removed = sync(lesson, "Q: Can Aurora backups be disabled?\nA: No.\n")
    assert removed.updated == 1
    assert Card.objects.get(pk=card.pk).exam == ""
    assert sync(lesson, "Q: Can Aurora backups be disabled?\nA: No.\n").unchanged == 1


QUESTION_BLOCK = """Q: Which restore path keeps the most recent data?
- [ ] A manual snapshot.
  why: It holds the moment it was taken.
- [x] Point-in-time recovery.
  why: It restores to any second of the retention period.
- [ ] A clone.
  why: A clone is of the cluster as it is now, not a restore.
section: backups
"""


def test_a_questions_options_are_rendered_once_on_save_and_an_edit_keeps_progress(learner):
    from flashcards.questions import parse_questions

    lesson = make_lesson(body=SECTIONED)
    cards_sync_from_note(lesson=lesson, specs=parse_questions(QUESTION_BLOCK), now=NOW)
    prompt = Prompt.objects.get(card__lesson=lesson)
    assert [option["right"] for option in prompt.options] == [False, True, False]
    assert (
        prompt.options[1]["why_html"] == "<p>It restores to any second of the retention period.</p>"
    )
    assert "Point-in-time recovery." in prompt.back_html and "option-right" in prompt.back_html
    grade_now(learner, prompt, 3, NOW)

    edited = QUESTION_BLOCK.replace("A clone.", "An Aurora clone.")
    change = cards_sync_from_note(lesson=lesson, specs=parse_questions(edited), now=NOW)
    assert change.updated == 1
    prompt.refresh_from_db()
    assert prompt.options[2]["html"] == "<p>An Aurora clone.</p>"
    assert state_of(learner, prompt) is not None
