"""The bundled lessons (content/) carry every fact of the seed note; an edit must not drop one.

Facts are read from the lessons as learners get them, rendered and stripped of markup, so a
change in rendering cannot hide one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flashcards.models import Prompt
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
        "upload the backup files to an s3 bucket",
        "new rds for mysql db instance",
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
        "runs on the clone's own db instances",
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
        "an ec2 instance with an instance profile",
        "less use of static credentials",
        "security groups",
        "ports",
        "cidr ranges",
        "other security groups",
        "no ssh or other shell access",
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


# The corrections of issue 13: what each lesson now says, read from the rendered lesson, and the
# wrong or misleading statement it made before, which must not come back.
CORRECTED = {
    "01-backups.md": [
        ("rds also accepts a retention period of 0, which turns automated backups off", None),
        (
            "think manual snapshot, or aws backup with a longer retention period",
            "longer than 35 days, think manual snapshot.",
        ),
        ("a plan can copy backups to another aws region or to another aws account", None),
        ("a brief i/o suspension, from a few seconds to a few minutes", None),
        ("the instance is the source of read replicas", None),
        ("automated backups are deleted with it, unless you choose to retain them", None),
        (
            "it must be encrypted with a customer managed kms key, and you must share that key too",
            None,
        ),
        (
            "aurora's automated backups are continuous and incremental",
            "kept: the retention period can be anywhere from 1 to 35 days",
        ),
    ],
    "02-restore-paths.md": [
        (
            "for both rds for mysql and aurora mysql, this restore from s3 takes a physical backup "
            "made with percona xtrabackup",
            "take a backup of your on-premises mysql database",
        ),
        (
            "not restorable from s3: load it with the mysql client",
            "rds for mysql can restore a backup that was uploaded to s3",
        ),
        (
            "but rds for mysql's restore from s3 takes the same kind of backup",
            "for aurora mysql, the backup has to be made with percona xtrabackup",
        ),
        ("rewinds an existing aurora mysql db cluster to an earlier moment in place", None),
        ("at most 72 hours back", None),
        ("gets the default security group and the default db parameter group", None),
    ],
    "03-aurora-cloning.md": [
        ("on sql server and db2 multi-az, i/o is still suspended briefly", None),
        (
            "a clone is always created in the same aws region as its source cluster",
            "no impact on production",
        ),
        ("briefly suspends i/o", "production carries on untouched"),
        ("aws resource access manager (aws ram)", None),
        ("a full-copy clone acts like a point-in-time restore", None),
    ],
    "04-encryption.md": [
        (
            "a cluster restored from an unencrypted snapshot is encrypted even when you name",
            "an unencrypted cluster snapshot cannot be encrypted by copying it",
        ),
        (
            "restore a new db instance from the encrypted copy",
            "commonly applied by making an encrypted copy",
        ),
        (
            "rds cannot restore an unencrypted snapshot as an encrypted db instance",
            "take a snapshot, then restore that snapshot as an encrypted database, and move",
        ),
        (
            "aurora can restore an unencrypted cluster snapshot straight into an encrypted cluster",
            "restore the snapshot as encrypted, choosing the kms key",
        ),
        (
            "you can create it encrypted even when the source cluster is not",
            "there is no option to encrypt only the replicas",
        ),
        (
            "created on or after 18 february 2026 is encrypted at rest by default",
            "for a new database, encryption at rest is something you choose",
        ),
        ("rds.force_ssl", None),
        ("require_secure_transport", None),
    ],
    "05-access-and-auditing.md": [
        ("it works only on some engines", "rds and aurora support two approaches"),
        ("each token is valid for 15 minutes", None),
        (
            "lambda function with its execution role",
            "a particularly good fit for applications running on ec2 instances with iam roles",
        ),
        ("not available for rds for mariadb", None),
        (
            "rds custom exists only for oracle and sql server",
            "a variant of rds that does give you access",
        ),
        ("manage the master user password in secrets manager", None),
        ("uploads their audit files to an amazon s3 bucket", None),
        ("on most engines it is off until you turn it on", None),
        # Issue 17's check of the lesson: a self-managed AD, MySQL's PAM sign-in, MariaDB's
        # versions, RDS Custom for Oracle's end of support.
        (
            "can also join a self-managed active directory directly",
            "needs aws managed microsoft ad",
        ),
        ("checked through pam", "kerberos works with rds for mysql"),
        (
            "rds for mariadb (on supported versions)",
            "rds for mysql, rds for mariadb, rds for postgresql",
        ),
        ("end of support for rds custom for oracle on march 31, 2027", None),
    ],
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "right", "wrong"),
    [(name, right, wrong) for name, pairs in CORRECTED.items() for right, wrong in pairs],
)
def test_a_corrected_fact_is_taught_and_the_old_statement_is_gone(
    bundled_content, name, right, wrong
):
    text = lesson_text(name)
    assert right in text
    if wrong is not None:
        assert wrong not in text


# Corrected cards: (words of the card's front, what its rendered answer must say, what it must
# no longer say).
CORRECTED_CARDS = [
    (
        "how do you encrypt an rds db instance that was launched unencrypted?",
        "copy the snapshot with encryption",
        "restore that snapshot as an encrypted database",
    ),
    (
        "what are the steps to move an on-premises mysql database into rds for mysql",
        "percona xtrabackup",
        None,
    ),
    ("which engines support iam database authentication?", "not rds for oracle, sql server", None),
    ("what are the ways a client can authenticate", "kerberos", None),
    ("can automated backups on amazon rds be switched off?", "source of read replicas", None),
    ("which database engines does rds custom support?", "only oracle and sql server", None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("front", "right", "wrong"), CORRECTED_CARDS)
def test_a_corrected_card_says_what_is_true(bundled_content, front, right, wrong):
    answers = [
        re.sub(r"\s+", " ", html_to_text(prompt.back_html)).lower()
        for prompt in Prompt.objects.filter(is_active=True)
        if front in html_to_text(prompt.front_html).lower()
    ]
    assert answers, front
    for answer in answers:
        assert right in answer
        if wrong is not None:
            assert wrong not in answer
