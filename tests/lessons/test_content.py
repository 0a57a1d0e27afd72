"""The bundled lessons (content/) carry every fact of the seed note; an edit must not drop one.

Facts are read from the lessons as learners get them, rendered and stripped of markup, so a
change in rendering cannot hide one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lessons.models import Lesson
from notes.parser import read_note
from search.text import html_to_text

CONTENT = Path(__file__).resolve().parents[2] / "content" / "rds-aurora"


def lesson_text(name: str) -> str:
    """The text of the lesson that the bundled note `name` became, on plain words."""
    slug = read_note((CONTENT / name).read_bytes()).slug
    lesson = Lesson.objects.get(slug=slug)
    return re.sub(r"\s+", " ", html_to_text(lesson.body_html)).lower()


FACTS = {
    "01-backups.md": [
        "full backup once a day",
        "backup window",
        "transaction logs roughly every 5 minutes",
        "point-in-time recovery",
        "1 to 35 days",
        "setting the retention period to 0",
        "on aurora, automated backups cannot be disabled",
        "kept indefinitely",
        "take a manual snapshot of the database",
        "delete the database instance",
        "restore the database from the snapshot",
    ],
    "02-restore-paths.md": [
        "new db instance",
        "new db cluster",
        "never overwrites",
        "upload that backup file to an s3 bucket",
        "new rds mysql instance",
        "percona xtrabackup",
        "new aurora mysql cluster",
    ],
    "03-aurora-cloning.md": [
        "staging",
        "copy-on-write",
        "same storage",
        "diverges only as changes occur",
        "faster to create than going through snapshot and restore",
        "cost efficiency",
        "no impact on production",
    ],
    "04-encryption.md": [
        "aws kms",
        "master",
        "read replicas",
        "choose when you launch it",
        "if the master is unencrypted, its read replicas cannot be encrypted",
        "take a snapshot of the unencrypted database",
        "restore that snapshot as an encrypted database",
        "tls",
        "aws tls root certificates",
    ],
    "05-access-and-auditing.md": [
        "username and password",
        "iam database authentication",
        "ec2 instances with iam roles",
        "less use of static credentials",
        "security groups",
        "ports",
        "cidr ranges",
        "other security groups",
        "no ssh access",
        "rds custom",
        "enable database audit logs",
        "temporarily",
        "cloudwatch logs",
    ],
}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "phrase"), [(n, p) for n, ps in FACTS.items() for p in ps])
def test_bundled_lesson_states_the_fact(bundled_content, name, phrase):
    assert phrase in lesson_text(name)


def test_every_bundled_note_is_under_the_rds_aurora_topic_and_published():
    notes = [read_note(path.read_bytes()) for path in sorted(CONTENT.glob("*.md"))]
    assert len(notes) == len(FACTS)
    assert {note.topic for note in notes} == {"Amazon RDS & Aurora"}
    assert all(note.status in (None, "published") for note in notes)
