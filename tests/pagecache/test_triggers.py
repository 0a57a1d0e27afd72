"""The content version changes on every kind of write to every content table (run on SQLite and
PostgreSQL alike, as the suite is), and not on a learner's own writes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from flashcards.models import Card, Prompt, PromptState, Tag
from lessons.models import Lesson, Topic
from pagecache.models import ContentVersion
from pagecache.triggers import (
    content_tables,
    expected_triggers,
    installed_triggers,
    triggers_uninstall,
)
from pagecache.versions import content_version
from tests.conftest import make_card, make_lesson, make_topic, make_tree, make_user
from trees.models import OutcomeLink, Tree, TreeWalk

pytestmark = pytest.mark.django_db


def changes_the_version(write: Callable[[], object]) -> bool:
    before = content_version()
    write()
    return content_version() != before


@pytest.fixture
def content():
    lesson = make_lesson(body="## Part\n\nText.\n")
    card = make_card(lesson=lesson)
    tree = make_tree()
    tag = Tag.objects.create(slug="backups")
    link = OutcomeLink.objects.create(
        tree=tree, node_key="left", lesson=lesson, anchor="part", label="Part", position=0
    )
    return {"lesson": lesson, "card": card, "tree": tree, "tag": tag, "link": link}


def test_the_triggers_are_installed_on_every_content_table():
    assert installed_triggers(connection) == expected_triggers(connection.vendor)
    assert "flashcards_card_tags" in content_tables()


def test_saving_each_kind_of_content_changes_the_version(content):
    lesson, card, tree = content["lesson"], content["card"], content["tree"]
    writes = [
        lambda: make_topic(),
        lambda: Lesson.objects.filter(pk=lesson.pk).get().save(),
        lambda: make_tree(),
        lambda: Tag.objects.create(slug="more"),
        lambda: make_card(lesson=lesson),
        lambda: card.tags.add(content["tag"]),  # the m2m through table
        lambda: card.tags.clear(),
        lambda: OutcomeLink.objects.create(
            tree=tree, node_key="right", lesson=lesson, anchor="part", label="Part", position=1
        ),
        lambda: Prompt.objects.filter(card=card).first().save(),
    ]
    for number, write in enumerate(writes):
        assert changes_the_version(write), number


@pytest.mark.parametrize(
    "model", [Topic, Lesson, Tree, OutcomeLink, Tag, Card, Card.tags.through, Prompt]
)
def test_update_changes_the_version_on_each_table(content, model):
    content["card"].tags.add(content["tag"])
    field = {
        Topic: ("position", 7),
        Lesson: ("position", 7),
        Tree: ("intro", "Changed."),
        OutcomeLink: ("label", "Changed"),
        Tag: ("slug", "changed"),
        Card: ("position", 7),
        Card.tags.through: ("tag_id", content["tag"].pk),
        Prompt: ("is_active", False),
    }[model]
    assert changes_the_version(lambda: model.objects.update(**{field[0]: field[1]}))


def test_bulk_create_changes_the_version(content):
    assert changes_the_version(
        lambda: Tag.objects.bulk_create(Tag(slug=f"bulk-{n}") for n in range(50))
    )
    cards = Card.objects.bulk_create(
        Card(lesson=content["lesson"], front=f"F{n}", back="B", position=n) for n in range(3)
    )
    assert changes_the_version(
        lambda: Card.tags.through.objects.bulk_create(
            Card.tags.through(card=card, tag=content["tag"]) for card in cards
        )
    )


def test_deletes_change_the_version_cascades_included(content):
    assert changes_the_version(lambda: content["link"].delete())
    assert changes_the_version(lambda: Tag.objects.all().delete())
    # Deleting the card deletes its prompts by cascade.
    assert changes_the_version(lambda: content["card"].delete())
    assert changes_the_version(lambda: Tree.objects.all().delete())


def test_raw_sql_changes_the_version(content):
    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE lessons_lesson SET title = 'Raw' WHERE id = %s", [content["lesson"].pk]
            )

    assert changes_the_version(raw)


def test_a_learner_s_own_writes_leave_the_version_alone(content):
    learner = make_user()
    prompt = content["card"].prompts.get()

    def study() -> None:
        PromptState.objects.create(user=learner, prompt=prompt, state=2, due=timezone.now())
        TreeWalk.objects.create(tree=content["tree"], walker="session:x", last_node_key="left")

    assert not changes_the_version(study)


def test_several_writes_in_one_transaction_leave_a_new_token_at_commit(content):
    before = content_version()
    with transaction.atomic():
        Tag.objects.create(slug="one")
        Lesson.objects.update(position=3)
    assert content_version() != before


def test_a_rolled_back_write_leaves_the_version_as_it_was(content):
    before = content_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Tag.objects.create(slug="gone")
        raise RuntimeError
    assert content_version() == before


def test_a_missing_row_is_made_anew_with_a_random_token():
    old = content_version()
    ContentVersion.objects.all().delete()
    assert content_version() not in {"", old}
    assert changes_the_version(lambda: make_topic())


def test_migrate_puts_back_triggers_a_table_rebuild_dropped():
    triggers_uninstall(connection)
    assert installed_triggers(connection) == set()
    call_command("migrate", verbosity=0)
    assert installed_triggers(connection) == expected_triggers(connection.vendor)
    assert changes_the_version(lambda: make_topic())
