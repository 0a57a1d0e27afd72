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

# Each exam anchor of the seed note, as the cards' `exam:` lines name it.
ANCHORS = [
    "rds automated backups can be disabled",
    "aurora automated backups cannot be disabled",
    "manual snapshots are kept until you delete them",
    "aurora cloning is the fast alternative to snapshot and restore",
    "a restore from s3 into aurora mysql needs a percona xtrabackup backup",
]

# Each topic of the seed note, and the lesson sections that teach it.
SEED_TOPICS = {
    "RDS automated backups": ["automated-backups-on-rds", "turning-rds-automated-backups-off"],
    "RDS manual snapshots": ["manual-snapshots", "the-use-it-occasionally-cost-pattern"],
    "Aurora automated backups": ["automated-backups-on-aurora"],
    "restore creates a new database": [
        "restoring-creates-a-new-database",
        "what-this-means-in-practice",
    ],
    "restore from S3 into RDS for MySQL": ["into-rds-for-mysql", "physical-backup-or-logical-dump"],
    "restore from S3 into Aurora MySQL": ["into-aurora-mysql"],
    "Aurora cloning": ["what-aurora-cloning-is-for", "how-copy-on-write-works"],
    "encryption at rest": ["encryption-at-rest", "decide-at-launch-time"],
    "the read replica rule": ["the-read-replica-rule"],
    "encrypting an existing database": [
        "encrypting-an-existing-database",
        "on-rds-copy-the-snapshot-with-encryption",
        "on-aurora-restore-the-snapshot-with-a-kms-key",
    ],
    "encryption in flight": ["encryption-in-flight"],
    "authentication": ["authentication", "iam-database-authentication"],
    "network access": ["network-access"],
    "no SSH, RDS Custom": ["managed-service-constraints", "rds-custom"],
    "audit logs": ["audit-logs", "keeping-the-logs"],
}


def test_the_deck_has_at_least_40_cards_in_every_lesson(bundled_content):
    cards = Card.objects.filter(is_active=True)
    assert cards.count() >= 40
    assert set(cards.values_list("lesson__slug", flat=True)) == set(
        Lesson.objects.values_list("slug", flat=True)
    )
    kinds = set(cards.values_list("kind", flat=True))
    assert kinds == {"basic", "reversed", "cloze", "question"}
    assert not cards.filter(section="").exists()  # every card links back to its section


@pytest.mark.parametrize("anchor", ANCHORS)
def test_each_exam_anchor_is_asked_from_three_sides(bundled_content, anchor):
    asking = Card.objects.filter(exam__icontains=anchor, is_active=True)
    assert asking.count() >= 3, anchor
    assert len({card.front for card in asking}) == asking.count()


@pytest.mark.parametrize("topic", sorted(SEED_TOPICS))
def test_each_seed_topic_has_at_least_two_cards(bundled_content, topic):
    cards = Card.objects.filter(section__in=SEED_TOPICS[topic], is_active=True)
    assert cards.count() >= 2, topic


def test_a_one_sentence_cloze_has_at_most_two_deletions(bundled_content):
    for card in Card.objects.filter(kind=Card.Kind.CLOZE, is_active=True):
        sentences = [part for part in re.split(r"(?<=[.?!])\s+", card.front.strip()) if part]
        if len(sentences) == 1:
            assert len(set(re.findall(r"\{\{c(\d+)::", card.front))) <= 2, card.front


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


def test_the_deck_has_at_least_30_questions_each_linked_to_its_section(bundled_content):
    questions = Card.objects.filter(kind=Card.Kind.QUESTION, is_active=True)
    assert questions.count() >= 30
    assert set(questions.values_list("lesson__slug", flat=True)) == set(
        Lesson.objects.values_list("slug", flat=True)
    )
    assert not questions.filter(section="").exists()
    several = [
        prompt
        for prompt in Prompt.objects.filter(card__in=questions)
        if sum(option["right"] for option in prompt.options) > 1
    ]
    assert len(several) >= 5  # the exam's "choose two" questions too


@pytest.mark.parametrize("anchor", ANCHORS)
def test_each_exam_anchor_is_asked_by_at_least_two_questions(bundled_content, anchor):
    asking = Card.objects.filter(kind=Card.Kind.QUESTION, exam__icontains=anchor, is_active=True)
    assert asking.count() >= 2, anchor
