"""Shared fixtures: users of each kind and content with sensible defaults."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import override_settings

from accounts.services import instructor_grant
from flashcards.card_sync import card_prompts_sync, cards_sync_from_note
from flashcards.grading import grade_submit
from flashcards.models import Card, Prompt, PromptState
from flashcards.questions import parse_questions
from flashcards.selectors import version_of
from flashcards.study_questions import study_check
from flashcards.tokens import grade_token
from lessons.models import Lesson, Topic
from pagecache import kept
from trees.models import Tree
from trees.services import tree_save

PASSWORD = "correct horse battery staple"
CONTENT = Path(__file__).resolve().parents[1] / "content"
_counter = itertools.count(1)


def sign_up_data(username: str, **fields) -> dict:
    """The sign-up form's fields for `username`, at `<username>@example.com` with PASSWORD;
    `fields` add to them or replace them (`email=""` leaves the address out)."""
    data = {
        "username": username,
        "email": f"{username}@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return {**data, **fields}


def make_user(**kwargs):
    kwargs.setdefault("username", f"user{next(_counter)}")
    kwargs.setdefault("password", PASSWORD)
    return get_user_model().objects.create_user(**kwargs)


def make_topic(**kwargs) -> Topic:
    number = next(_counter)
    kwargs.setdefault("title", f"Topic {number}")
    kwargs.setdefault("slug", f"topic-{number}")
    kwargs.setdefault("position", number)
    return Topic.objects.create(**kwargs)


def make_lesson(**kwargs) -> Lesson:
    number = next(_counter)
    if "topic" not in kwargs:
        kwargs["topic"] = make_topic()
    kwargs.setdefault("title", f"Lesson {number}")
    kwargs.setdefault("slug", f"lesson-{number}")
    kwargs.setdefault("position", number)
    kwargs.setdefault("status", Lesson.Status.PUBLISHED)
    kwargs.setdefault("summary", f"What lesson {number} is about.")
    kwargs.setdefault("body", "## First part\n\nSome text.\n\n## Second part\n\nMore text.\n")
    return Lesson.objects.create(**kwargs)


SIMPLE_TREE = """\
? first: Which way?
- Left -> left
  why: Left is shorter.
- Right -> second

? second: Are you sure?
- Yes -> right
- No -> left

= left: You went left
Left is **fine**.

= right: You went right
"""


def deep_tree_definition(questions: int) -> str:
    """A tree whose longest walk asks `questions` questions, each on its own numbered line
    pattern: question `qN` on line 4N + 1, leading on to the next or out to `stop`."""
    lines: list[str] = []
    for number in range(questions):
        onward = f"q{number + 1}" if number + 1 < questions else "end"
        lines += [f"? q{number}: Question {number}?", f"- Go on -> {onward}", "- Stop -> stop", ""]
    return "\n".join([*lines, "= end: The bottom", "", "= stop: Stopped early", ""])


def make_tree(**kwargs) -> Tree:
    number = next(_counter)
    kwargs.setdefault("slug", f"tree-{number}")
    kwargs.setdefault("title", f"Tree {number}")
    kwargs.setdefault("intro", "Pick a way.")
    kwargs.setdefault("definition", SIMPLE_TREE)
    tree_save(**kwargs)
    return Tree.objects.get(slug=kwargs["slug"])


def sync_questions(text: str, lesson: Lesson) -> list[Prompt]:
    """The prompts of a questions block's questions (each question's one) synced into
    `lesson` as a note's import writes them, in the block's order. Every question factory of
    the tests builds on this."""
    cards_sync_from_note(lesson=lesson, specs=parse_questions(text))
    return list(Prompt.objects.filter(card__lesson=lesson).order_by("card__position", "id"))


def make_card(**kwargs) -> Card:
    """A card with its prompts, in a lesson of its own unless one is given."""
    number = next(_counter)
    if "lesson" not in kwargs:
        kwargs["lesson"] = make_lesson()
    kwargs.setdefault("kind", Card.Kind.BASIC)
    kwargs.setdefault("front", f"Question {number}?")
    kwargs.setdefault("back", f"Answer {number}.")
    kwargs.setdefault("position", number)
    card = Card.objects.create(**kwargs)
    card_prompts_sync(card)
    return card


# On PostgreSQL, no statement of the tests' may run or wait for a lock for ever: a query with a
# runaway plan, or a lock held by a connection left behind, ends in an error that names the
# SQL, well inside pytest-timeout's limit (pyproject.toml). A CI run once stalled for an hour
# with no word on where (docs/NOTES.md, issue 20). The suite's longest statement takes seconds.
POSTGRES_TEST_LIMITS = "-c statement_timeout=120s -c lock_timeout=60s"


def table_statistics_refreshed() -> None:
    """On PostgreSQL, the planner's statistics refreshed for the rows this test has written, as
    autovacuum would on a real site; call it once a test has written more than a few dozen rows
    and reads them back through joins. Autovacuum cannot see rows inside a test's transaction,
    and the tables' sizes are those an earlier test on the same worker left: its own ANALYZE
    (this one's too) is rolled back with its data, but the sizes ANALYZE writes into pg_class are
    written in place and stay. With sizes that fit none of its rows, the planner picked nested
    loops of whole scans that took up to 30 s a query, and a query-budget test that takes 7 s
    alone ran past pytest-timeout's 420 s in CI (docs/NOTES.md, issue 20)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    from django.db import connections

    for alias in connections:
        settings_dict = connections[alias].settings_dict
        if connections[alias].vendor == "postgresql":
            options = settings_dict.setdefault("OPTIONS", {})
            options["options"] = " ".join(
                filter(None, [options.get("options", ""), POSTGRES_TEST_LIMITS])
            )


@pytest.fixture(autouse=True)
def no_fuzz(settings):
    """FSRS fuzzes intervals at random in use; tests compare exact intervals."""
    settings.FLASHCARDS_FUZZ = False


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with the visitors' page cache empty (pagecache/pages.py): an entry
    kept by an earlier test, whose database was rolled back, must not answer this one's. The
    same for the reads kept under the content version (pagecache/kept.py)."""
    cache.clear()
    kept.forget()


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """The production hasher (PBKDF2, about a second a password here) is slow on purpose, and
    most tests make users or log in. tests/portal/test_settings.py checks what production uses;
    the gunicorn tests (test_serve, test_load) run the real settings."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


# The apps whose rows an import of notes writes. The snapshot is taken in a database that
# holds only what migrations made, so every row in them then is the import's: learners'
# activity tables (states, reviews, walks) are empty and add nothing.
CONTENT_APPS = ("lessons", "trees", "flashcards", "search")


@pytest.fixture(scope="session")
def _bundled_snapshot(django_db_setup, django_db_blocker) -> str:
    """The rows that importing the bundled notes writes, as JSON: imported once per test
    process (rendering every lesson, tree and card takes about a second), in a transaction
    rolled back at once, so the database is as it was for the tests that follow."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("import_notes", str(CONTENT), stdout=StringIO())
        models = [
            model for label in CONTENT_APPS for model in apps.get_app_config(label).get_models()
        ]
        snapshot = serializers.serialize(
            "json", [row for model in models for row in model._default_manager.all()]
        )
        transaction.set_rollback(True)
    return snapshot


@pytest.fixture
def bundled_content(_bundled_snapshot, db) -> None:
    """The bundled notes in the test database, as `make run` imports them: the snapshot's rows
    written back (a tenth of an import's time), inside the test's transaction, or committed
    and flushed afterwards for transactional and live-server tests."""
    connection.creation.deserialize_db_from_string(_bundled_snapshot)


@pytest.fixture
def learner(db):
    return make_user(username="learner")


@pytest.fixture
def instructor(db):
    user = make_user(username="instructor")
    instructor_grant(user=user)
    return user


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        username="admin", password=PASSWORD, email="admin@example.com"
    )


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


def grade_now(user, prompt, rating: int, when):
    """Grade a prompt through the real service, as the study page would at `when`: a question
    is answered first (its option A), as its grade needs."""
    state = PromptState.objects.filter(user=user, prompt=prompt).first()
    version = version_of(user, prompt.pk, state)  # a prompt made new again keeps its version
    token = grade_token(user_id=user.pk, prompt_id=prompt.pk, version=version, shown_at=when)
    if prompt.card.kind == Card.Kind.QUESTION:
        study_check(user=user, token=token, picks=["A"], now=when)
    result = grade_submit(user=user, token=token, rating=rating, now=when)
    assert result.applied
    return result


def study_for_days(user, prompts, *, start, days: int, skip=()):
    """A learner's history: each day (but those in `skip`), one new prompt and every earlier one
    that has fallen due, graded Again now and then and Good otherwise."""
    for day in range(days):
        if day in skip:
            continue
        moment = start + dt.timedelta(days=day)
        for index, prompt in enumerate(prompts[: day + 1]):
            state = PromptState.objects.filter(user=user, prompt=prompt).first()
            if (state is None and index == day) or (state is not None and state.due <= moment):
                grade_now(user, prompt, 1 if (day + index) % 5 == 0 else 3, moment)
                moment += dt.timedelta(minutes=2)


def preview_document(pane_html: str) -> str:
    """The document an admin live preview pane shows in its frame (its srcdoc), unescaped;
    empty when the pane draws none."""
    found = re.search(r'<iframe class="live-preview__frame"[^>]*srcdoc="([^"]*)"', pane_html)
    return html.unescape(found[1]) if found else ""
