"""Parsers for option values shared by several commands."""

from __future__ import annotations

import re

from evalsuite.errors import EvalsuiteError

_NUMBER_OR_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


def parse_int_list(text: str, option: str) -> tuple[int, ...]:
    """`4,5,10`, `4-16` or a mix (`4-8,10`) as a tuple of non-negative ints, in order."""
    values: list[int] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        match = _NUMBER_OR_RANGE.match(part)
        if not match:
            raise EvalsuiteError(
                f"{option}: {part!r} is not a non-negative number or a range like 4-16"
            )
        low, high = int(match.group(1)), int(match.group(2) or match.group(1))
        if high < low:
            raise EvalsuiteError(f"{option}: {part!r} is an empty range")
        values.extend(range(low, high + 1))
    if not values:
        raise EvalsuiteError(f"{option}: give at least one value (e.g. 4,5,10 or 4-16)")
    return tuple(values)


def parse_count(text: str, option: str) -> int:
    """A whole number of 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise EvalsuiteError(f"{option}: {text!r} is not a whole number") from None
    if value < 0:
        raise EvalsuiteError(f"{option} must be 0 or more, got {value}")
    return value
