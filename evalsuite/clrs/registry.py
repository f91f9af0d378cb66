"""The 30 CLRS-30 algorithms by name, gathered from one module per textbook chapter."""

from __future__ import annotations

import difflib

from evalsuite.clrs import (
    divide_and_conquer,
    dynamic_programming,
    geometry,
    graph_paths,
    graph_search,
    greedy,
    searching,
    sorting,
    strings,
)
from evalsuite.clrs.spec import AlgorithmSpec
from evalsuite.errors import EvalsuiteError

_CHAPTERS = (
    sorting, searching, divide_and_conquer, dynamic_programming, greedy,
    graph_search, graph_paths, strings, geometry,
)

ALGORITHMS: dict[str, AlgorithmSpec] = dict(
    sorted((spec.name, spec) for chapter in _CHAPTERS for spec in chapter.ALGORITHMS)
)


def get_algorithm(name: str) -> AlgorithmSpec:
    """The spec of one algorithm; an EvalsuiteError naming the closest match when unknown."""
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise EvalsuiteError(unknown_algorithm_message(name)) from None


def unknown_algorithm_message(name: str) -> str:
    close = difflib.get_close_matches(name, ALGORITHMS, n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown algorithm {name!r}{hint}; valid: {', '.join(ALGORITHMS)}"


def parse_algorithms(text: str) -> tuple[str, ...]:
    """`all` or a comma-separated list of names, each checked."""
    if text.strip() == "all":
        return tuple(ALGORITHMS)
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    if not names:
        raise EvalsuiteError("--algorithms: give 'all' or a comma-separated list of names")
    for name in names:
        get_algorithm(name)
    return names
