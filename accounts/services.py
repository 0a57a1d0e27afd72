"""Creating accounts and changing what a user may do."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction

from accounts.forms import SignUpForm
from flashcards.models import StudySettings

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
