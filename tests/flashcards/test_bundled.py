"""The deck shipped in content/: big enough, covering the exam anchors from several sides."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from flashcards.grading import grade_submit
from flashcards.models import Card, Prompt, PromptState
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
