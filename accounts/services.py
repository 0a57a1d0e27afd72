"""Changing what a user may do."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction

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
