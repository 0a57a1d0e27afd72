"""Histories the analytics selectors and page are both tested against."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from flashcards.models import LEECH_LAPSES, Card, PromptState, Review
from lessons.models import Lesson
from portal.sessions import SessionStore
from tests.conftest import make_card, make_lesson, make_tree, make_user
from trees.models import Tree
from trees.selectors import trees_by_slug
from trees.services import walk_record
from trees.walk import walk


def log(user, prompt, rating, days_ago=1):
    Review.objects.create(
        user=user,
        prompt=prompt,
        rating=rating,
        state_after=2,
        after={},
        reviewed_at=timezone.now() - dt.timedelta(days=days_ago),
    )


@dataclass(frozen=True)
class HardCards:
    lesson: Lesson
    hard: Card  # again 3 times in 4, and a leech for one learner
    easy: Card  # never again
    rare: Card  # again both times, but reviewed only twice


@pytest.fixture
def hard_cards(db) -> HardCards:
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
    return HardCards(lesson=lesson, hard=hard, easy=easy, rare=rare)


@pytest.fixture
def troubled_tree(db) -> Tree:
    """Two visitors stop at the second question; a third goes back on "Yes" there."""
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
    return tree
