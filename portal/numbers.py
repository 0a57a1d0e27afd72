"""Whole numbers as people and URLs write them: the one parser for ids, ratings, choice numbers,
note fields and settings."""

from __future__ import annotations

import re

# ASCII digits only: str.isdigit() also takes "²" and other scripts' digits, which int() refuses
# or reads in ways nobody typed. Few of them, too: int() refuses thousands of digits, and 18 is
# as many as always fit the database's 64-bit integer columns.
_DIGITS = re.compile(r"[0-9]+")
MAX_DIGITS = 18


def whole_number(text: str | None, *, max_digits: int = MAX_DIGITS) -> int | None:
    """The number `text` spells in at most `max_digits` ASCII digits, or None for anything else
    (None, empty, signed, decimal, spaced, other scripts' digits, too long)."""
    if not text or len(text) > max_digits or not _DIGITS.fullmatch(text):
        return None
    return int(text)
