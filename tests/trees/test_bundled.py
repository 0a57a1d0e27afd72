"""The trees shipped in content/: every path of every tree ends at the intended outcome."""

from __future__ import annotations

import html
import re

import pytest

from trees.definition import all_paths
from trees.selectors import trees_by_slug

pytestmark = pytest.mark.django_db


# Path of choice numbers -> the outcome it must reach, for each bundled tree.
EXPECTED = {
    "which-restore-path": {
        (1, 1): "pitr",
        (1, 2): "too-old",
        (2,): "snapshot",
        (3, 1): "s3-rds",
        (3, 2): "s3-aurora",
        (4,): "clone",
    },
    "encrypt-existing-database": {
        (1,): "at-launch",
        (2,): "already",
        (3, 1): "snapshot-restore",
        (3, 2): "no-replica",
    },
    "disable-automated-backups": {(1, 1): "rds-zero", (1, 2): "occasional", (2,): "aurora-never"},
    "staging-copy": {(1, 1): "clone", (1, 2): "aurora-snapshot", (2,): "rds-snapshot"},
    "app-connection": {(1,): "iam", (2,): "password"},
}

# Facts each outcome must state (lower case), so an edit cannot quietly make one wrong.
OUTCOME_FACTS = {
    ("which-restore-path", "pitr"): ["new", "instance", "cluster"],
    ("which-restore-path", "s3-aurora"): [
        "percona xtrabackup",
        "s3",
        "new",
        "aurora mysql cluster",
    ],
    ("which-restore-path", "s3-rds"): ["s3", "new", "rds for mysql instance"],
    ("which-restore-path", "clone"): ["copy-on-write", "faster than snapshot and restore"],
    ("encrypt-existing-database", "snapshot-restore"): ["snapshot", "restore", "encrypted"],
    ("encrypt-existing-database", "no-replica"): ["master is unencrypted", "cannot be encrypted"],
    ("encrypt-existing-database", "at-launch"): ["launch", "kms"],
    ("disable-automated-backups", "rds-zero"): ["retention period of 0"],
    ("disable-automated-backups", "aurora-never"): ["cannot be disabled", "1 to 35 days"],
    ("disable-automated-backups", "occasional"): ["snapshot", "delete", "restore"],
    ("staging-copy", "clone"): ["copy-on-write", "faster than snapshot and restore"],
    ("app-connection", "iam"): ["iam database authentication", "tls", "security group"],
    ("app-connection", "password"): ["username and password", "tls", "security group"],
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
