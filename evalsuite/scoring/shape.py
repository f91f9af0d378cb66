"""Answer shapes: CLRS-Text answers as trees of numbers, found again in free model text.

The gold answer fixes the shape (a list of n values, an n×m matrix, a pair in parentheses,
`start, end`, a single index, or a sequence of these); a model's text is searched for the
last expression of that shape, written with spaces or commas between values.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Union

_TOKEN = re.compile(r"-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?|[\[\]\(\),]|[^\s\[\]\(\),0-9-]+|-")
MAX_SEARCH_CHARS = 100_000  # only the tail of a huge output is searched


@dataclass(frozen=True)
class Number:
    pass


@dataclass(frozen=True)
class Bracketed:
    """`[a b c]`: `size` items of one shape."""

    size: int
    item: "Shape"


@dataclass(frozen=True)
class Sequence:
    """`a, b` or `(a, b)`: parts of possibly different shapes."""

    parts: tuple["Shape", ...]
    parenthesised: bool


Shape = Union[Number, Bracketed, Sequence]


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return token not in "[](),"


def parse_exact(text: str) -> tuple[Shape, list[str]] | None:
    """Shape and leaf tokens of a well-formed CLRS-Text answer (the gold); None if it is not."""
    tokens = tokenize(text)
    parsed = _parse_sequence(tokens, 0, top=True)
    if parsed is None or parsed[1] != len(tokens):
        return None
    return parsed[0], parsed[2]


NUMBER = Number()


def _parse_value(tokens: list[str], i: int):
    if i >= len(tokens):
        return None
    token = tokens[i]
    if token == "[":
        j = i + 1
        while j < len(tokens) and _is_number(tokens[j]):  # the common case: a row of numbers
            j += 1
        if j < len(tokens) and tokens[j] == "]" and j > i + 1:
            return Bracketed(j - i - 1, NUMBER), j + 1, tokens[i + 1:j]
        items, leaves, j = [], [], i + 1
        while j < len(tokens) and tokens[j] != "]":
            parsed = _parse_value(tokens, j)
            if parsed is None:
                return None
            items.append(parsed[0])
            leaves += parsed[2]
            j = parsed[1] + (1 if parsed[1] < len(tokens) and tokens[parsed[1]] == "," else 0)
        if j >= len(tokens) or (items and any(item != items[0] for item in items)):
            return None
        return Bracketed(len(items), items[0] if items else NUMBER), j + 1, leaves
    if token == "(":
        parsed = _parse_sequence(tokens, i + 1, top=False)
        if parsed is None or parsed[1] >= len(tokens) or tokens[parsed[1]] != ")":
            return None
        shape = Sequence(parsed[0].parts if isinstance(parsed[0], Sequence) else (parsed[0],), True)
        return shape, parsed[1] + 1, parsed[2]
    if _is_number(token):
        return NUMBER, i + 1, [token]
    return None


def _parse_sequence(tokens: list[str], i: int, top: bool):
    parts, leaves = [], []
    while True:
        parsed = _parse_value(tokens, i)
        if parsed is None:
            return None
        parts.append(parsed[0])
        leaves += parsed[2]
        i = parsed[1]
        if i < len(tokens) and tokens[i] == ",":
            i += 1
            continue
        break
    if len(parts) == 1:
        return parts[0], i, leaves
    return Sequence(tuple(parts), False), i, leaves


def match_at(shape: Shape, tokens: list[str], i: int) -> tuple[int, list[str]] | None:
    """Match `shape` at token i, allowing commas between list items and parentheses (or
    none) around sequences; return (end, leaf tokens)."""
    if isinstance(shape, Number):
        return (i + 1, [tokens[i]]) if i < len(tokens) and _is_number(tokens[i]) else None
    if isinstance(shape, Bracketed):
        if i >= len(tokens) or tokens[i] != "[":
            return None
        leaves, j = [], i + 1
        for position in range(shape.size):
            if position and j < len(tokens) and tokens[j] == ",":
                j += 1
            matched = match_at(shape.item, tokens, j)
            if matched is None:
                return None
            j, found = matched
            leaves += found
        return (j + 1, leaves) if j < len(tokens) and tokens[j] == "]" else None
    wrapped = i < len(tokens) and tokens[i] == "("
    j, leaves = i + 1 if wrapped else i, []
    for position, part in enumerate(shape.parts):
        if position:
            if j >= len(tokens) or tokens[j] != ",":
                return None
            j += 1
        matched = match_at(part, tokens, j)
        if matched is None:
            return None
        j, found = matched
        leaves += found
    if wrapped:
        return (j + 1, leaves) if j < len(tokens) and tokens[j] == ")" else None
    return j, leaves


def _can_start(shape: Shape, token: str) -> bool:
    """Whether an expression of `shape` may begin with `token` (a cheap filter)."""
    if isinstance(shape, Bracketed):
        return token == "["
    if isinstance(shape, Number):
        return token[-1:].isdigit()
    return token == "(" or _can_start(shape.parts[0], token)


def find_last(shape: Shape, text: str) -> list[str] | None:
    """Leaf tokens of the last expression of `shape` in `text` (its tail), or None."""
    tokens = tokenize(text[-MAX_SEARCH_CHARS:])
    for start in range(len(tokens) - 1, -1, -1):
        if not _can_start(shape, tokens[start]):
            continue
        matched = match_at(shape, tokens, start)
        if matched is not None:
            return matched[1]
    return None


def render(shape: Shape, leaves: list[str]) -> str:
    """Write leaves in CLRS-Text notation for `shape`."""
    return _render(shape, leaves)[0]


def _render(shape: Shape, leaves: list[str]) -> tuple[str, list[str]]:
    if isinstance(shape, Number):
        return leaves[0], leaves[1:]
    if isinstance(shape, Bracketed):
        items = []
        for _ in range(shape.size):
            item, leaves = _render(shape.item, leaves)
            items.append(item)
        separator = ", " if isinstance(shape.item, Bracketed) else " "
        return "[" + separator.join(items) + "]", leaves
    parts = []
    for part in shape.parts:
        text, leaves = _render(part, leaves)
        parts.append(text)
    joined = ", ".join(parts)
    return (f"({joined})" if shape.parenthesised else joined), leaves


def same_number(a: str, b: str) -> bool:
    """Token equality, numerically where both are numbers (`0.50` equals `0.5`)."""
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return x == y and not math.isnan(x)
