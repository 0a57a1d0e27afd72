"""Creating, changing and deleting accounts, and changing what a user may do."""

from __future__ import annotations

from axes.models import AccessLog
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction

from accounts.forms import SignUpForm
from flashcards.models import StudySettings
from notes.private import private_notes_delete_all, private_notes_delete_each
from trees.models import TreeWalk

INSTRUCTORS_GROUP = "Instructors"


@transaction.atomic
def instructor_grant(*, user: AbstractBaseUser) -> None:
    """Let the user into the admin with the Instructors group's content permissions."""
    user.groups.add(Group.objects.get(name=INSTRUCTORS_GROUP))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def instructor_revoke(*, user: AbstractBaseUser) -> None:
    """Take the group away; a superuser keeps staff status, anyone else loses it."""
    user.groups.remove(Group.objects.get(name=INSTRUCTORS_GROUP))
    if user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])


@transaction.atomic
def learner_sign_up(*, form: SignUpForm) -> AbstractBaseUser:
    """Save a valid sign-up form's account and its study settings in the browser's time zone.

    Created here rather than on first use so that the learner's first study day already starts
    at their own midnight.
    """
    user = form.save()
    StudySettings.objects.create(user=user, time_zone=form.cleaned_data["time_zone"])
    return user


@transaction.atomic
def email_change(*, user: AbstractBaseUser, email: str) -> None:
    """Save a new address checked by EmailChangeForm (unique, and the password was right)."""
    user.email = email
    user.save(update_fields=["email"])


class AccountNotDeletable(Exception):
    """Staff and superuser accounts are not deleted by their owners (see `account_delete`)."""


def account_deletable(user: AbstractBaseUser) -> bool:
    """Whether the owner may delete this account from its account page.

    Not staff or superusers: their accounts carry the admin's change history (LogEntry, which
    would go with them) and may be the site's last way into the admin. Another superuser
    removes them in the admin, after taking away staff status if need be.
    """
    return not (user.is_staff or user.is_superuser)


def account_delete(*, user: AbstractBaseUser) -> None:
    """Delete the account and everything of the learner's: their own notes first, one by one,
    then the rest all or nothing.

    Deleting the user cascades to every row with a foreign key to it: study settings, FSRS
    fit, review log, card states, marks, manual changes, undone first grades (NewAgain), the
    admin's log, group and permission links. Tree walks would be kept as anonymous figures
    (SET_NULL), so they are deleted first; the log-in history axes keeps by username, having
    no foreign key, is deleted here too.
    tests/accounts/test_services.py checks that every model with a foreign key to the user is
    emptied of this user's rows and of no one else's.
    """
    if not account_deletable(user):
        raise AccountNotDeletable(user.get_username())
    # The learner's own notes go first, each in a short transaction of its own, so that many
    # large notes never hold the write lock at once. Should the rest then fail, the notes are
    # gone already: the learner asked for everything of theirs to go.
    private_notes_delete_each(owner=user)
    _account_rows_delete(user=user)


@transaction.atomic
def _account_rows_delete(*, user: AbstractBaseUser) -> None:
    TreeWalk.objects.filter(user=user).delete()
    # Any note imported since the ones deleted above (their lessons PROTECT their cards, so
    # the topics' CASCADE alone would refuse).
    private_notes_delete_all(owner=user)
    AccessLog.objects.filter(username=user.get_username()).delete()
    user.delete()  # and with it the account's sessions (accounts.Session.user, CASCADE)
