"""Sorting (CLRS chapters 2, 6, 7): insertion sort, bubble sort, heapsort, quicksort.

The text shows the `pred` hint: the keys in the order the algorithm holds them at each step.
dm-clrs moves each key together with its index, so that order is the array itself: the
runners below track only the list of key values and snapshot it at every hint step.
Comparisons keep the official strictness (`>` / `<` / `<=`), which decides how ties move.
"""

from __future__ import annotations

import numpy as np

from evalsuite.clrs.sampling import random_sequence
from evalsuite.clrs.spec import AlgorithmSpec, Field, Flavor, Kind, Runner, Trace

KEY = (Field("key", Kind.FLOATS),)
PRED = (Field("pred", Kind.FLOATS),)
# dm-clrs cannot render a single key: its predecessor array then has no last element.
MIN_LENGTH = 2


def sample_keys(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """The sorting sampler: n keys from U[0, 1)."""
    return [random_sequence(rng, length)]


def _sorted_trace(keys: list[float], values: list[float], frames: list[list[float]]) -> Trace:
    # A frame holds the single `pred` hint, hence the one-element tuples.
    return Trace(
        inputs=(keys,), outputs=(values,), frames=tuple((frame,) for frame in frames)
    )


def insertion_sort(key: np.ndarray) -> Trace:
    """Insertion sort (CLRS 2.1): one frame at the start and one per inserted key."""
    keys = key.tolist()
    values = list(keys)
    frames = [values[:]]
    for j in range(1, len(values)):
        current = values[j]
        i = j - 1
        while i >= 0 and values[i] > current:
            values[i + 1] = values[i]
            i -= 1
        values[i + 1] = current
        frames.append(values[:])
    return _sorted_trace(keys, values, frames)


def bubble_sort(key: np.ndarray) -> Trace:
    """Bubble sort (CLRS problem 2-2): one frame at the start and one per comparison."""
    keys = key.tolist()
    values = list(keys)
    frames = [values[:]]
    n = len(values)
    for i in range(n - 1):
        # The smallest remaining key bubbles down from the end to position i.
        for j in range(n - 1, i, -1):
            if values[j] < values[j - 1]:
                values[j], values[j - 1] = values[j - 1], values[j]
            frames.append(values[:])
    return _sorted_trace(keys, values, frames)


def _sift_down(values: list[float], i: int, heap_size: int, frames: list[list[float]]) -> None:
    """MAX-HEAPIFY from node i: one frame per level visited, swap or not."""
    while True:
        left, right = 2 * i + 1, 2 * i + 2
        largest = left if left < heap_size and values[left] > values[i] else i
        if right < heap_size and values[right] > values[largest]:
            largest = right
        if largest != i:
            values[i], values[largest] = values[largest], values[i]
        frames.append(values[:])
        if largest == i:
            return
        i = largest


def heapsort(key: np.ndarray) -> Trace:
    """Heapsort (CLRS 6.4): a frame per heapify level, plus one per root extraction."""
    keys = key.tolist()
    values = list(keys)
    frames = [values[:]]
    n = len(values)
    # dm-clrs builds the heap from every node, leaves included (each leaf costs one frame).
    for i in range(n - 1, -1, -1):
        _sift_down(values, i, n, frames)
    for end in range(n - 1, 0, -1):
        values[0], values[end] = values[end], values[0]
        frames.append(values[:])
        _sift_down(values, 0, end, frames)
    return _sorted_trace(keys, values, frames)


def _partition(values: list[float], low: int, high: int, frames: list[list[float]]) -> int:
    """Lomuto partition around values[high]: a frame per comparison and one after the pivot."""
    pivot = values[high]
    boundary = low - 1
    for j in range(low, high):
        if values[j] <= pivot:
            boundary += 1
            values[boundary], values[j] = values[j], values[boundary]
        frames.append(values[:])
    boundary += 1
    values[boundary], values[high] = values[high], values[boundary]
    frames.append(values[:])
    return boundary


def quicksort(key: np.ndarray) -> Trace:
    """Quicksort (CLRS 7.1). dm-clrs shows no frame before the first comparison, so the
    initial trace is the state after it."""
    keys = key.tolist()
    values = list(keys)
    frames: list[list[float]] = []
    # An explicit stack replaces the recursion; the left part is sorted before the right.
    ranges = [(0, len(values) - 1)]
    while ranges:
        low, high = ranges.pop()
        if low < high:
            middle = _partition(values, low, high, frames)
            ranges.append((middle + 1, high))
            ranges.append((low, middle - 1))
    return _sorted_trace(keys, values, frames)


def _sorting_spec(name: str, run: Runner) -> AlgorithmSpec:
    return AlgorithmSpec(
        name=name, chapter="sorting", inputs=KEY, outputs=PRED, hints=PRED,
        sample=sample_keys, run=run, min_length=MIN_LENGTH,
    )


ALGORITHMS = tuple(
    _sorting_spec(run.__name__, run)
    for run in (insertion_sort, bubble_sort, heapsort, quicksort)
)
