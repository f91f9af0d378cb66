"""Greedy algorithms (CLRS chapter 16): activity selection and unit-task scheduling.

Both scan the items in a fixed order (by finish time, by decreasing weight) and the text
shows the `selected` hint: the 0/1 mask of chosen items after each step of the scan.
"""

from __future__ import annotations

import numpy as np

from evalsuite.clrs.sampling import random_sequence, random_string
from evalsuite.clrs.spec import AlgorithmSpec, Field, Flavor, Kind, Trace

SELECTED = (Field("selected", Kind.INTS),)


def sample_activities(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """Two U[0, 1) draws per activity: the earlier is its start, the later its finish."""
    first = random_sequence(rng, length)
    second = random_sequence(rng, length)
    return [np.minimum(first, second), np.maximum(first, second)]


def sample_tasks(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """Integer deadlines in 1..n, then U[0, 1) penalties (weights)."""
    deadlines = random_string(rng, length, chars=length) + 1
    weights = random_sequence(rng, length)
    return [deadlines, weights]


def _greedy_scan(order: list[int], take) -> tuple[list[int], list[tuple[list[int]]]]:
    """Scan items in `order`, keeping those `take(item)` accepts (the first always).

    Returns the final mask and the frames: the empty mask, then the mask after each item.
    """
    selected = [0] * len(order)
    frames = [(selected[:],)]
    selected[order[0]] = 1
    frames.append((selected[:],))
    for item in order[1:]:
        if take(item):
            selected[item] = 1
        frames.append((selected[:],))
    return selected, frames


def activity_selector(s: np.ndarray, f: np.ndarray) -> Trace:
    """Gavril's greedy activity selection: by finish time, keep what starts after the last kept.

    The order is numpy's default (unstable) argsort, as the official code uses: ties in
    finish time, common after truncation to three decimals, must break the same way.
    """
    starts, finishes = s.tolist(), f.tolist()
    order = np.argsort(f).tolist()
    last_finish = finishes[order[0]]

    def starts_after_last(item: int) -> bool:
        nonlocal last_finish
        if starts[item] >= last_finish:
            last_finish = finishes[item]
            return True
        return False

    selected, frames = _greedy_scan(order, starts_after_last)
    return Trace(inputs=(starts, finishes), outputs=(selected,), frames=tuple(frames))


def task_scheduling(d: np.ndarray, w: np.ndarray) -> Trace:
    """Unit tasks by decreasing penalty, kept while the kept count is below the deadline.

    The order is numpy's default (unstable) argsort of the negated weights, as the
    official code uses, so tied weights break the same way.
    """
    deadlines, weights = d.tolist(), w.tolist()
    order = np.argsort(-w).tolist()
    scheduled = 1  # the heaviest task is always kept

    def fits_before_deadline(item: int) -> bool:
        nonlocal scheduled
        if scheduled < deadlines[item]:
            scheduled += 1
            return True
        return False

    selected, frames = _greedy_scan(order, fits_before_deadline)
    return Trace(inputs=(deadlines, weights), outputs=(selected,), frames=tuple(frames))


# At length 1 the official code squeezes the inputs to scalars and fails to print them.
ALGORITHMS = (
    AlgorithmSpec(
        name="activity_selector", chapter="greedy",
        inputs=(Field("s", Kind.FLOATS), Field("f", Kind.FLOATS)),
        outputs=SELECTED, hints=SELECTED,
        sample=sample_activities, run=activity_selector, min_length=2,
    ),
    AlgorithmSpec(
        name="task_scheduling", chapter="greedy",
        inputs=(Field("d", Kind.INTS), Field("w", Kind.FLOATS)),
        outputs=SELECTED, hints=SELECTED,
        sample=sample_tasks, run=task_scheduling, min_length=2,
    ),
)
