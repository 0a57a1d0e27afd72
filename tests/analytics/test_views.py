"""Instructor analytics: who may see it, and what it shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.utils import timezone

from analytics import selectors
from flashcards.models import LEECH_LAPSES, PromptState, Review
from tests.conftest import make_card, make_lesson, make_tree, make_user
from trees.selectors import trees_by_slug
from trees.services import walk_record
from trees.walk import walk

pytestmark = pytest.mark.django_db


def test_learners_are_refused_and_visitors_sent_to_log_in(learner_client):
    assert learner_client.get("/analytics/").status_code == 403
    response = Client().get("/analytics/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_instructors_and_superusers_see_it(instructor_client, client, superuser):
    assert instructor_client.get("/analytics/").status_code == 200
    client.force_login(superuser)
    assert client.get("/analytics/").status_code == 200


def test_the_navigation_offers_it_to_staff_only(instructor, learner):
    for user, shown in ((instructor, True), (learner, False)):
        client = Client()
        client.force_login(user)
        assert ('href="/analytics/"' in client.get("/").content.decode()) is shown


def log(user, prompt, rating, days_ago=1):
    Review.objects.create(
        user=user,
        prompt=prompt,
        rating=rating,
        state_after=2,
        after={},
        reviewed_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_the_hardest_cards_come_first_with_links_to_fix_them(instructor_client):
    lesson = make_lesson(title="Cloning", body="## Copy on write\n\nText.\n")
    hard = make_card(lesson=lesson, front="Which protocol do clones use?", section="copy-on-write")
    easy = make_card(lesson=lesson, front="Can a clone cross regions?")
    rare = make_card(lesson=lesson, front="Asked only twice")
    learners = [make_user() for _ in range(3)]
    for user in learners:
        log(user, hard.prompts.get(), 1)
        log(user, easy.prompts.get(), 3)
    log(learners[0], hard.prompts.get(), 3)
    log(learners[0], rare.prompts.get(), 1)
    log(learners[1], rare.prompts.get(), 1)
    PromptState.objects.create(
        user=learners[0],
        prompt=hard.prompts.get(),
        state=2,
        due=timezone.now(),
        lapses=LEECH_LAPSES,
    )

    cards = selectors.hardest_cards()
    assert [card.pk for card in cards] == [hard.pk, easy.pk]  # "rare" has too few reviews
    assert cards[0].again_rate == pytest.approx(3 / 4)
    assert (cards[0].review_count, cards[0].leech_count) == (4, 1)
    assert cards[0].section_title == "Copy on write"

    page = instructor_client.get("/analytics/").content.decode()
    assert f'href="/lessons/{lesson.slug}/#copy-on-write"' in page
    assert f'href="/admin/flashcards/card/{hard.pk}/change/"' in page
    assert page.index("Which protocol do clones use?") < page.index("Can a clone cross regions?")


def test_tree_questions_where_learners_leave_or_go_back(instructor_client):
    made = make_tree(title="Which way")
    tree = trees_by_slug([made.slug])[made.slug]
    spec = tree.to_spec()

    def walk_to(session, path):
        walk_record(session=session, user=None, tree=tree, walk=walk(spec, path))

    for _ in range(2):  # two visitors stop at the second question
        session = SessionStore()
        walk_to(session, "2")
    session = SessionStore()  # one goes on, then back on "Yes", then finishes
    walk_to(session, "2")
    walk_to(session, "2.1")
    walk_to(session, "2")
    walk_to(session, "2.2")

    rows = selectors.tree_trouble()
    assert len(rows) == 1
    row = rows[0]
    assert (row.node_key, row.question, row.left, row.taken_back, row.most_taken_back) == (
        "second",
        "Are you sure?",
        2,
        1,
        "Yes",
    )
    page = instructor_client.get("/analytics/").content.decode()
    assert f'href="/admin/trees/tree/{tree.pk}/change/"' in page
    assert "Are you sure?" in page


def test_the_mastery_spread_counts_each_learner_in_one_band(instructor_client):
    lesson = make_lesson(title="Encryption")
    prompts = [make_card(lesson=lesson).prompts.get() for _ in range(2)]
    now = timezone.now()
    strong, weak = make_user(), make_user()
    for prompt in prompts:  # reviewed an hour ago with long stability: recall close to 100%
        PromptState.objects.create(
            user=strong,
            prompt=prompt,
            state=2,
            due=now,
            stability=100,
            difficulty=5,
            last_review=now - dt.timedelta(hours=1),
        )
    # One of the two studied, long ago and barely: about 29% of one card, 15% of the lesson.
    PromptState.objects.create(
        user=weak,
        prompt=prompts[0],
        state=2,
        due=now,
        stability=0.1,
        difficulty=5,
        last_review=now - dt.timedelta(days=300),
    )
    spread = {row.lesson.pk: row for row in selectors.mastery_spread(now)}[lesson.pk]
    assert spread.learners == 2
    assert spread.bands == [1, 0, 0, 0, 1]


def test_active_learners_are_counted_once_per_week():
    prompt = make_card().prompts.get()
    today = dt.date(2026, 11, 25)  # a Wednesday
    first, second = make_user(), make_user()
    monday = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    for user in (first, first, second):
        Review.objects.create(
            user=user, prompt=prompt, rating=3, state_after=2, after={}, reviewed_at=monday
        )
    Review.objects.create(
        user=first,
        prompt=prompt,
        rating=3,
        state_after=2,
        after={},
        reviewed_at=monday - dt.timedelta(days=1),
    )  # the Sunday before
    weeks = selectors.active_learners_per_week(today, weeks=3)
    assert weeks == [
        (dt.date(2026, 11, 9), 0),
        (dt.date(2026, 11, 16), 1),
        (dt.date(2026, 11, 23), 2),
    ]
