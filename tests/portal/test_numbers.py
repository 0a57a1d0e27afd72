"""The one whole-number parser: ASCII digits, a bounded number of them, nothing else."""

from __future__ import annotations

import pytest

from portal.numbers import MAX_DIGITS, whole_number


@pytest.mark.parametrize(
    ("text", "number"), [("0", 0), ("7", 7), ("042", 42), ("9" * MAX_DIGITS, int("9" * MAX_DIGITS))]
)
def test_ascii_digits_are_the_number_they_spell(text, number):
    assert whole_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        " ",
        "-1",
        "+1",
        "3.5",
        "1e3",
        " 3",
        "3 ",
        "3\n",
        "0x3",
        "1_000",
        "²",
        "٣",
        "３",
        "abc",
    ],
)
def test_anything_else_is_none(text):
    assert whole_number(text) is None


def test_more_digits_than_allowed_is_none():
    assert whole_number("9" * (MAX_DIGITS + 1)) is None
    assert whole_number("9" * 5000) is None  # int() itself would raise on this many
    assert whole_number("1000", max_digits=3) is None
    assert whole_number("999", max_digits=3) == 999


def test_the_default_always_fits_a_64_bit_integer_column():
    assert int("9" * MAX_DIGITS) < 2**63
