"""accounts.services: granting and revoking the instructor role, signing up, changing the email
address, and deleting an account (every row of the user goes, in every model with a foreign
key to users, and nothing of anyone else's)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.forms import SignUpForm
from accounts.models import Session
from accounts.services import (
    INSTRUCTORS_GROUP,
    AccountNotDeletable,
    account_deletable,
    account_delete,
    email_change,
    instructor_grant,
    instructor_revoke,
    learner_sign_up,
)
from analytics.models import KnownSnapshot
from flashcards.models import FsrsFit, ManualChange, NewAgain, Prompt, PromptMark, StudySettings
from notes.models import Suggestion
from notes.services import NoteFile, notes_import
from practice.models import Answer, Attempt, AttemptQuestion
from tests.conftest import grade_now, make_card, make_tree, make_user, sign_up_data
from tests.notes.conftest import note_text
from trees.models import TreeWalk

pytestmark = pytest.mark.django_db


def reloaded(user):
    return get_user_model().objects.get(pk=user.pk)


def test_a_grant_gives_staff_status_and_the_groups_content_permissions():
    user = make_user()
    instructor_grant(user=user)
    user = reloaded(user)
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == [INSTRUCTORS_GROUP]
    assert user.has_perm("lessons.change_lesson") and user.has_perm("flashcards.add_card")
    assert not user.has_perm("auth.change_user")


def test_granting_twice_is_harmless():
    user = make_user()
    instructor_grant(user=user)
    instructor_grant(user=user)
    assert reloaded(user).groups.count() == 1


def test_a_revoke_takes_away_the_group_and_staff_status():
    user = make_user()
    instructor_grant(user=user)
    instructor_revoke(user=user)
    user = reloaded(user)
    assert not user.is_staff and not user.groups.exists()
    assert not user.has_perm("lessons.change_lesson")


def test_a_superuser_keeps_staff_status_when_the_role_is_revoked():
    admin = get_user_model().objects.create_superuser(username="root", password="x" * 12)
    instructor_grant(user=admin)
    instructor_revoke(user=admin)
    admin = reloaded(admin)
    assert admin.is_staff and admin.is_superuser
    assert not admin.groups.exists()


def test_learner_sign_up_creates_study_settings_in_the_given_time_zone(db):
    form = SignUpForm(sign_up_data("z", time_zone="Asia/Tokyo"))
    assert form.is_valid()
    user = learner_sign_up(form=form)
    assert StudySettings.objects.get(user=user).time_zone == "Asia/Tokyo"


def test_email_change_saves_the_address():
    user = make_user(email="old@example.com")
    email_change(user=user, email="new@example.com")
    assert reloaded(user).email == "new@example.com"


# Deleting an account --------------------------------------------------------------------------

# Every model with a foreign key to users, as decided for deletion. A new one fails
# test_every_model_with_a_foreign_key_to_users_is_decided until it is added here and to
# `give_a_row_of_everything` (and, when it does not cascade, to account_delete).
USER_ROWS = {
    "accounts.Session",
    "admin.LogEntry",
    "analytics.KnownSnapshot",
    "auth.User_groups",
    "auth.User_user_permissions",
    "flashcards.FsrsFit",
    "flashcards.ManualChange",
    "flashcards.NewAgain",
    "flashcards.PromptMark",
    "flashcards.PromptState",
    "flashcards.Review",
    "flashcards.StudySettings",
    "lessons.Topic",
    "notes.Suggestion",
    "practice.Answer",
    "practice.Attempt",
    "trees.TreeWalk",
}


def user_foreign_keys() -> list[tuple[type[models.Model], str]]:
    User = get_user_model()
    return [
        (model, field.name)
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is User
    ]


def rows_of(user_id: int) -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.filter(**{name: user_id}).count()
        for model, name in user_foreign_keys()
    }


def logged_in_session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.session.session_key


def give_a_row_of_everything(user) -> dict:
    """At least one row of the user in each model of USER_ROWS, a session, and a log-in in
    axes's log. Returns what is not counted by foreign key."""
    now = timezone.now()
    prompt = make_card().prompts.get()
    grade_now(user, prompt, 1, now)  # a review and a state
    StudySettings.objects.get_or_create(user=user)
    other_prompt = make_card().prompts.get()
    PromptMark.objects.create(user=user, prompt=other_prompt, suspended=True)
    NewAgain.objects.create(user=user, prompt=other_prompt, version=0)
    ManualChange.objects.create(user=user, prompt=prompt, kind="forget", at=now)
    FsrsFit.objects.create(user=user, requested_at=now)
    KnownSnapshot.objects.create(user=user, lesson=prompt.card.lesson, recalled=1.0, taken_at=now)
    TreeWalk.objects.create(
        tree=make_tree(), walker=f"user:{user.pk}", user=user, last_node_key="first"
    )
    attempt = Attempt.objects.create(
        user=user, scope="all", title="All lessons", started_at=now, question_count=1
    )
    AttemptQuestion.objects.create(attempt=attempt, prompt=prompt, position=1, chosen="A")
    Answer.objects.create(
        user=user,
        prompt=prompt,
        content_hash=prompt.content_hash,
        chosen="A",
        is_right=False,
        source=Answer.Source.TEST,
        attempt=attempt,
        answered_at=now,
    )
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[prompt.card],
        action_flag=ADDITION,
    )
    user.groups.add(Group.objects.get_or_create(name=f"group of {user.pk}")[0])
    user.user_permissions.add(ContentType.objects.get_for_model(Group).permission_set.first())
    AccessLog.objects.create(username=user.get_username(), ip_address="127.0.0.1", user_agent="t")
    # Their own note (issue 21): a private topic, its lesson, cards studied, suggestions.
    own = note_text(title=f"Own {user.pk}", body="## Part\n\nA **private** fact.\n")
    notes_import(files=[NoteFile("own.md", own.encode())], owner=user, accept_suggestions=True)
    Suggestion.objects.filter(lesson__topic__owner=user).update(decided_by=user)
    grade_now(user, Prompt.objects.get(card__lesson__topic__owner=user), 3, now)
    return {"session": logged_in_session(user)}


def test_every_model_with_a_foreign_key_to_users_is_decided():
    assert {model._meta.label for model, _name in user_foreign_keys()} == USER_ROWS


def test_deleting_an_account_removes_every_row_of_the_user_and_nothing_else():
    leaver, stayer = make_user(username="leaver"), make_user(username="stayer")
    leaver_id = leaver.pk
    leavers = give_a_row_of_everything(leaver)
    stayers = give_a_row_of_everything(stayer)
    assert all(rows_of(leaver_id).values()), rows_of(leaver_id)  # the test gives every kind a row
    stayer_rows = rows_of(stayer.pk)
    walks_before = TreeWalk.objects.exclude(user_id=leaver_id).count()

    account_delete(user=leaver)

    assert not get_user_model().objects.filter(pk=leaver_id).exists()
    assert not any(rows_of(leaver_id).values()), rows_of(leaver_id)
    # No walk kept as an anonymous figure (the foreign key would only have set it to null).
    assert not TreeWalk.objects.filter(walker=f"user:{leaver_id}").exists()
    assert not Session.objects.filter(session_key=leavers["session"]).exists()
    assert not AccessLog.objects.filter(username="leaver").exists()
    assert rows_of(stayer.pk) == stayer_rows
    assert TreeWalk.objects.exclude(user_id=leaver_id).count() == walks_before
    assert Session.objects.filter(session_key=stayers["session"]).exists()
    assert AccessLog.objects.filter(username="stayer").exists()


def test_failed_log_in_attempts_naming_the_account_are_kept():
    # An attack's record, not the learner's data, and gone at its cool-off anyway.
    leaver = make_user(username="leaver")
    AccessAttempt.objects.create(
        username="leaver", ip_address="10.0.0.1", user_agent="t", failures_since_start=2
    )
    account_delete(user=leaver)
    assert AccessAttempt.objects.filter(username="leaver").exists()


def test_a_deletion_that_fails_deletes_nothing_but_the_learners_own_notes(monkeypatch):
    leaver = make_user(username="leaver")
    leaver_id = leaver.pk
    give_a_row_of_everything(leaver)
    before = rows_of(leaver_id)

    def fail(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(get_user_model(), "delete", fail)
    with pytest.raises(RuntimeError):
        account_delete(user=leaver)
    # Their own notes went first, one by one (a short write lock each): with them their
    # private topic, their suggestions, and the reviews and states of their cards. Nothing
    # else of theirs went.
    own_notes = {"lessons.Topic", "notes.Suggestion", "flashcards.Review", "flashcards.PromptState"}
    after = rows_of(leaver_id)
    assert after["lessons.Topic"] == 0 and after["notes.Suggestion"] == 0
    assert {k: v for k, v in after.items() if k not in own_notes} == {
        k: v for k, v in before.items() if k not in own_notes
    }
    assert 0 < after["flashcards.Review"] <= before["flashcards.Review"]
    assert TreeWalk.objects.filter(user=leaver).exists()
    assert AccessLog.objects.filter(username="leaver").exists()


@pytest.mark.parametrize("kind", ["instructor", "superuser", "staff"])
def test_staff_and_superusers_cannot_delete_their_own_account(kind):
    if kind == "superuser":
        user = get_user_model().objects.create_superuser(username="root", password="x" * 12)
    else:
        user = make_user(is_staff=True)
        if kind == "instructor":
            instructor_grant(user=user)
    assert not account_deletable(user)
    with pytest.raises(AccountNotDeletable):
        account_delete(user=user)
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_deleting_an_account_reads_no_lesson_or_card_text():
    """The deletion holds the write lock: a private note's body (up to 1 MB, and its HTML)
    and its cards' text are never read, only ids."""
    leaver = make_user(username="leaver")
    give_a_row_of_everything(leaver)
    with CaptureQueriesContext(connection) as queries:
        account_delete(user=leaver)
    reads = [
        query["sql"] for query in queries.captured_queries if query["sql"].startswith("SELECT")
    ]
    assert any("lessons_lesson" in sql for sql in reads)  # the check sees the lesson reads
    for column in ('"body"', '"body_html"', '"front"', '"back"', '"summary"'):
        assert not [sql for sql in reads if column in sql], column
