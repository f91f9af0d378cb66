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


def activity_selector(s: np.ndarray, f: np.ndarray) -> Trace:
    """Gavril's greedy activity selection: by finish time, keep what starts after the last kept.

    The order is numpy's default (unstable) argsort, as the official code uses: ties in
    finish time, common after truncation to three decimals, must break the same way.
    One frame for the empty selection, then one per activity scanned.
    """
    starts, finishes = s.tolist(), f.tolist()
    order = np.argsort(f).tolist()
    selected = [0] * len(order)
    frames = [(selected[:],)]
    last_finish = float("-inf")
    for activity in order:
        # The earliest finisher always passes: nothing is kept before it.
        if starts[activity] >= last_finish:
            selected[activity] = 1
            last_finish = finishes[activity]
        frames.append((selected[:],))
    return Trace(inputs=(starts, finishes), outputs=(selected,), frames=tuple(frames))


def task_scheduling(d: np.ndarray, w: np.ndarray) -> Trace:
    """Unit tasks by decreasing penalty, each kept while fewer are kept than its deadline.

    The order is numpy's default (unstable) argsort of the negated weights, as the
    official code uses, so tied weights break the same way. The heaviest task is kept
    whatever its deadline. One frame for the empty selection, then one per task scanned.
    """
    deadlines, weights = d.tolist(), w.tolist()
    order = np.argsort(-w).tolist()
    selected = [0] * len(order)
    frames = [(selected[:],)]
    selected[order[0]] = 1
    frames.append((selected[:],))
    kept = 1
    for task in order[1:]:
        if kept < deadlines[task]:
            selected[task] = 1
            kept += 1
        frames.append((selected[:],))
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
