"""The trees shipped in content/: every path of every tree ends at the intended outcome."""

from __future__ import annotations

import html
import re

import pytest

from trees.definition import all_paths
from trees.selectors import trees_by_slug

pytestmark = pytest.mark.django_db


# Path of choice numbers -> the outcome it must reach, for each bundled tree: every path from
# the start, so a tree that gains, loses or reroutes a path fails here until this table agrees.
EXPECTED = {
    "which-restore-path": {
        (1, 1): "pitr",
        (1, 2): "too-old",
        (2,): "snapshot",
        (3, 1, 1): "s3-rds",
        (3, 1, 2): "s3-aurora",
        (3, 2): "dump",
        (3, 3, 1): "s3-rds",
        (3, 3, 2): "s3-aurora",
        (4,): "clone",
        (5, 1): "backtrack",
        (5, 2, 1): "pitr",
        (5, 2, 2): "too-old",
    },
    "encrypt-existing-database": {
        (1,): "at-launch",
        (2,): "already",
        (3, 1, 1): "snapshot-restore",
        (3, 1, 2): "aurora-restore",
        (3, 2, 1): "no-replica",
        (3, 2, 2): "no-replica",
        (3, 2, 3): "cross-region-replica",
    },
    "disable-automated-backups": {
        (1, 1, 1): "rds-zero",
        (1, 1, 2): "replicas-first",
        (1, 2): "occasional",
        (2,): "aurora-never",
        (3,): "cluster-never",
    },
    "staging-copy": {
        (1, 1, 1): "clone",
        (1, 1, 2, 1): "cross-account-clone",
        (1, 1, 2, 2): "cross-account-snapshot",
        (1, 1, 2, 3): "owned-key",
        (1, 1, 3): "cross-region-snapshot",
        (1, 2): "aurora-snapshot",
        (2,): "rds-snapshot",
    },
    "app-connection": {
        (1, 1): "iam",
        (1, 2, 1): "kerberos",
        (1, 2, 2): "password",
        (2, 1): "iam",
        (2, 2): "password",
        (3, 1): "kerberos",
        (3, 2): "password",
    },
    "shell-access": {
        (1, 1): "no-shell-monitor",
        (1, 2): "no-shell-settings",
        (1, 3, 1): "rds-custom",
        (1, 3, 2): "ec2",
        (2,): "custom-shell",
    },
    "keep-activity-logs": {
        (1,): "mysql-audit",
        (2,): "aurora-mysql-audit",
        (3,): "pgaudit",
        (4,): "oracle-audit",
        (5,): "s3-audit",
    },
}

# Facts each outcome must state (lower case, read from the rendered explanation), so an edit
# cannot quietly make one wrong.
OUTCOME_FACTS = {
    ("which-restore-path", "pitr"): ["new db instance", "default security group"],
    ("which-restore-path", "too-old"): ["35 days at most", "manual snapshot", "aws backup"],
    ("which-restore-path", "snapshot"): ["new db instance", "existing database is left alone"],
    ("which-restore-path", "s3-rds"): [
        "percona xtrabackup",
        "new rds for mysql db instance",
        "iam role",
    ],
    ("which-restore-path", "s3-aurora"): ["percona xtrabackup", "new aurora mysql cluster"],
    ("which-restore-path", "dump"): [
        "mysql client",
        "only percona xtrabackup physical backups",
        "aws dms",
    ],
    ("which-restore-path", "backtrack"): ["aurora backtrack", "no new cluster", "whole cluster"],
    ("which-restore-path", "clone"): ["copy-on-write", "faster than snapshot and restore"],
    ("encrypt-existing-database", "at-launch"): ["launch", "kms", "18 february 2026"],
    ("encrypt-existing-database", "already"): ["kms already encrypts", "tls"],
    ("encrypt-existing-database", "snapshot-restore"): [
        "copy the snapshot with encryption",
        "encrypted copy",
        "restore a new db instance",
    ],
    ("encrypt-existing-database", "aurora-restore"): [
        "specifying a kms key",
        "no copy step",
        "new cluster",
    ],
    ("encrypt-existing-database", "no-replica"): [
        "master is unencrypted",
        "cannot be encrypted",
        "aurora replicas",
    ],
    ("encrypt-existing-database", "cross-region-replica"): [
        "aurora mysql cross-region read replica",
        "kms key of the destination region",
    ],
    ("disable-automated-backups", "rds-zero"): [
        "a backup retention period of 0 disables automated backups",
        "existing automated backups are deleted",
    ],
    ("disable-automated-backups", "replicas-first"): ["source of read replicas"],
    ("disable-automated-backups", "cluster-never"): ["multi-az db cluster", "cannot be set to 0"],
    ("disable-automated-backups", "aurora-never"): ["cannot be disabled", "1 to 35 days"],
    ("disable-automated-backups", "occasional"): ["snapshot", "delete", "restore"],
    ("staging-copy", "clone"): ["copy-on-write", "clone's own db instances"],
    ("staging-copy", "cross-account-clone"): [
        "aws resource access manager (aws ram)",
        "customer managed kms key",
    ],
    ("staging-copy", "cross-account-snapshot"): ["cannot be cloned into another account"],
    ("staging-copy", "owned-key"): [
        "customer managed kms key",
        "aws owned key",
        "only one cross-account clone of a shared cluster in each account",
    ],
    ("staging-copy", "cross-region-snapshot"): ["always lives in its source's region"],
    ("staging-copy", "rds-snapshot"): ["single-az", "suspended briefly", "taken from the standby"],
    ("app-connection", "iam"): ["rds-db:connect", "valid 15 minutes", "ssl/tls"],
    ("app-connection", "kerberos"): ["aws managed microsoft ad", "self-managed active directory"],
    ("app-connection", "password"): ["aws secrets manager", "rotate it"],
    ("shell-access", "custom-shell"): ["access to the operating system"],
    ("shell-access", "no-shell-monitor"): ["no ssh or shell access", "enhanced monitoring"],
    ("shell-access", "no-shell-settings"): ["no ssh or shell access", "db parameter group"],
    ("shell-access", "rds-custom"): ["rds custom for oracle", "rds custom for sql server"],
    ("shell-access", "ec2"): ["only for oracle and sql server", "amazon ec2"],
    ("keep-activity-logs", "mysql-audit"): ["mariadb_audit_plugin", "option group"],
    ("keep-activity-logs", "aurora-mysql-audit"): ["server_audit_logging", "cloudwatch logs"],
    ("keep-activity-logs", "pgaudit"): ["shared_preload_libraries", "pgaudit"],
    ("keep-activity-logs", "oracle-audit"): ["cloudwatch logs"],
    ("keep-activity-logs", "s3-audit"): ["amazon s3 bucket"],
}


@pytest.fixture
def bundled(bundled_content):
    return trees_by_slug(list(EXPECTED))


def test_every_bundled_tree_is_there_and_embedded_in_its_lesson(bundled, client):
    assert set(bundled) == set(EXPECTED)
    lessons = {
        "which-restore-path": "restore-paths",
        "encrypt-existing-database": "encryption-at-rest-and-in-flight",
        "disable-automated-backups": "backups-and-point-in-time-recovery",
        "staging-copy": "aurora-cloning",
        "app-connection": "authentication-network-access-and-auditing",
        "shell-access": "authentication-network-access-and-auditing",
        "keep-activity-logs": "authentication-network-access-and-auditing",
    }
    for tree, lesson in lessons.items():
        assert f'id="tree-{tree}"' in client.get(f"/lessons/{lesson}/").content.decode()


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_every_path_ends_at_the_intended_outcome(bundled, slug):
    assert dict(all_paths(bundled[slug].to_spec())) == EXPECTED[slug]


@pytest.mark.parametrize(
    ("slug", "path", "outcome"),
    [(slug, path, outcome) for slug, paths in EXPECTED.items() for path, outcome in paths.items()],
)
def test_walking_each_path_with_plain_links_shows_its_outcome(bundled, client, slug, path, outcome):
    url = f"/trees/{slug}/"
    for number in path:
        page = client.get(url).content.decode()
        hrefs = re.findall(r'<a class="tree__choice" href="([^"]+)"', page)
        url = html.unescape(hrefs[number - 1])
    page = client.get(url).content.decode()
    title = bundled[slug].to_spec().nodes[outcome].text
    assert f"data-tree-focus>{html.escape(title, quote=True)}</h3>" in page
    assert "How you got here" in page


@pytest.mark.parametrize(("slug", "outcome"), sorted(OUTCOME_FACTS))
def test_bundled_outcomes_state_their_facts(bundled, slug, outcome):
    text = html.unescape(
        re.sub(r"<[^>]+>", "", bundled[slug].to_spec().nodes[outcome].explanation_html)
    )
    for fact in OUTCOME_FACTS[(slug, outcome)]:
        assert fact in text.lower(), (slug, outcome, fact)
