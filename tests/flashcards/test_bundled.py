"""The deck shipped in content/: big enough, covering the exam anchors from several sides."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from flashcards.grading import grade_submit
from flashcards.models import NEW_PER_DAY_MAX, Card, Prompt, PromptState, StudySettings
from flashcards.tokens import grade_token
from lessons.models import Lesson

pytestmark = pytest.mark.django_db

CONTENT = Path(__file__).resolve().parents[2] / "content"

# Each exam anchor of the seed note, and what a card must say to be asking about it.
ANCHORS = {
    "RDS automated backups can be disabled": (
        r"rds.*(switched off|period to 0)|(off|period to 0).*rds"
    ),
    "Aurora automated backups cannot be disabled": r"aurora.*(disable|cannot be disabled|never)",
    "manual snapshots are kept indefinitely": r"(manual snapshot|more than 35 days)",
    "cloning is the fast alternative to snapshot restore": r"(cloning).*(snapshot and restore)",
    "Aurora MySQL from S3 needs Percona XtraBackup": r"percona xtrabackup",
}


def test_the_deck_has_at_least_40_cards_in_every_lesson(bundled_content):
    cards = Card.objects.filter(is_active=True)
    assert cards.count() >= 40
    assert set(cards.values_list("lesson__slug", flat=True)) == set(
        Lesson.objects.values_list("slug", flat=True)
    )
    kinds = set(cards.values_list("kind", flat=True))
    assert kinds == {"basic", "reversed", "cloze"}
    assert not cards.filter(section="").exists()  # every card links back to its section


@pytest.mark.parametrize("anchor", sorted(ANCHORS))
def test_each_exam_anchor_is_asked_from_more_than_one_side(bundled_content, anchor):
    tagged = Card.objects.filter(tags__slug="exam-anchor", is_active=True)
    asking = [
        card for card in tagged if re.search(ANCHORS[anchor], f"{card.front} {card.back}".lower())
    ]
    assert len(asking) >= 2, anchor
    assert len({card.front for card in asking}) == len(asking)


def test_reimporting_the_deck_keeps_a_learners_progress(bundled_content, learner):

    prompt = Prompt.objects.filter(is_active=True).first()
    token = grade_token(user_id=learner.pk, prompt_id=prompt.pk, version=0, shown_at=timezone.now())
    grade_submit(user=learner, token=token, rating=3)
    out = StringIO()
    call_command("import_notes", str(CONTENT), stdout=out)
    assert "Card sets: created 0, updated 0, unchanged 5." in out.getvalue()
    assert PromptState.objects.get(user=learner).prompt_id == prompt.pk
    assert Prompt.objects.get(pk=prompt.pk).changed_at is None


# The bundled notes as they were before the content was corrected (issue 13): what a site
# running the earlier release holds, with learners' progress on it.
PREVIOUS = Path(__file__).resolve().parents[1] / "fixtures" / "content-2026-11-23"


def test_moving_to_the_new_content_keeps_progress_and_marks_what_changed(learner):
    call_command("import_notes", str(PREVIOUS), stdout=StringIO())
    StudySettings.objects.create(user=learner, new_per_day=NEW_PER_DAY_MAX)  # all in one day
    studied = list(Prompt.objects.filter(is_active=True).select_related("card"))
    for prompt in studied:
        token = grade_token(
            user_id=learner.pk, prompt_id=prompt.pk, version=0, shown_at=timezone.now()
        )
        grade_submit(user=learner, token=token, rating=3)
    hashes = {prompt.pk: prompt.content_hash for prompt in studied}

    call_command("import_notes", str(CONTENT), stdout=StringIO())

    # No learner's state is lost, whatever became of its card.
    assert set(PromptState.objects.filter(user=learner).values_list("prompt_id", flat=True)) == (
        set(hashes)
    )
    after = {prompt.pk: prompt for prompt in Prompt.objects.filter(pk__in=hashes)}
    unchanged = [pk for pk, prompt in after.items() if prompt.content_hash == hashes[pk]]
    for pk in unchanged:  # the same text: nothing to tell the learner
        assert after[pk].changed_at is None
    for pk, prompt in after.items():  # new text on a card the learner knew: marked "Updated"
        if prompt.is_active and prompt.content_hash != hashes[pk]:
            assert prompt.changed_at is not None
    assert len(unchanged) >= len(hashes) // 3  # most of the deck carries over as it was

    # And importing the same content again changes nothing.
    out = StringIO()
    call_command("import_notes", str(CONTENT), stdout=out)
    assert "created 0, updated 0" in out.getvalue()
    assert "Card sets: created 0, updated 0" in out.getvalue()
