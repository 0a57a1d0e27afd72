"""`manage.py rebuild_card_states`: whom it rebuilds, and what it refuses."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from flashcards.models import PromptState
from tests.conftest import grade_now, make_card, make_user

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def rebuild(*args) -> str:
    out = StringIO()
    call_command("rebuild_card_states", *args, stdout=out)
    return out.getvalue()


def studied_by(*users):
    prompt = make_card().prompts.get()
    for user in users:
        grade_now(user, prompt, 3, NOW)
    # Spoil the states, as a restore of the log alone would leave them.
    PromptState.objects.update(stability=0.1, due=NOW + dt.timedelta(days=999))
    return prompt


def test_named_users_are_rebuilt_from_their_log_and_no_one_else():
    ann, bob = make_user(username="ann"), make_user(username="bob")
    studied_by(ann, bob)
    assert rebuild("ann") == "ann: rebuilt 1 card states from the log\n"
    assert PromptState.objects.get(user=ann).due < NOW + dt.timedelta(days=1)
    assert PromptState.objects.get(user=bob).due == NOW + dt.timedelta(days=999)


def test_all_rebuilds_every_learner_with_reviews():
    ann, bob = make_user(username="ann"), make_user(username="bob")
    make_user(username="never-studied")
    studied_by(ann, bob)
    assert sorted(rebuild("--all").splitlines()) == [
        "ann: rebuilt 1 card states from the log",
        "bob: rebuilt 1 card states from the log",
    ]
    assert all(state.due < NOW + dt.timedelta(days=1) for state in PromptState.objects.all())


@pytest.mark.parametrize("args", [(), ("--all", "ann")])
def test_it_needs_either_names_or_all(args):
    make_user(username="ann")
    with pytest.raises(CommandError, match="Name one or more users, or pass --all"):
        rebuild(*args)


def test_every_missing_user_is_named_and_nothing_is_rebuilt():
    ann = make_user(username="ann")
    studied_by(ann)
    with pytest.raises(CommandError, match="No such user: amy, ghost, phantom, zed$"):
        rebuild("zed", "phantom", "ann", "ghost", "amy")
    assert PromptState.objects.get(user=ann).due == NOW + dt.timedelta(days=999)
