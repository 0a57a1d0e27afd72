"""Password rules of our own, beside Django's validators in AUTH_PASSWORD_VALIDATORS."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# One unit, then the same unit again at least once: "passwordpassword", "abcabcabcabc".
REPEATED_UNIT = re.compile(r"(.+?)\1+")


class RepeatedUnitPasswordValidator:
    """Refuse a password made of one word (or any shorter unit) repeated, like
    "passwordpassword": its length hides that guessing it costs no more than guessing the word.

    Django's CommonPasswordValidator does not catch these: it compares the whole password with
    the list Django ships (django/contrib/auth/common-passwords.txt.gz, 20,000 leaked
    passwords collected by Royce Williams), and that list holds almost nothing of 12 characters
    or more, our minimum; "passwordpassword" is not in it. Case and anything but letters and
    digits are ignored, so "Password-Password" is refused too.
    """

    def validate(self, password: str, user=None) -> None:
        letters_and_digits = "".join(filter(str.isalnum, password.casefold()))
        if REPEATED_UNIT.fullmatch(letters_and_digits):
            raise ValidationError(
                "This password is one word repeated, which is as easy to guess as the word.",
                code="password_repeated_unit",
            )

    def get_help_text(self) -> str:
        return "Your password can’t be one word repeated."
