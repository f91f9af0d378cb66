"""Searching (CLRS chapters 2, 9): minimum, binary search, quickselect.

The text shows one hint per algorithm: minimum's `min_h` (the index of the smallest key so
far), binary search's `(low, high)` window, and quickselect's `pivot` (the original index of
the current partition's pivot key). Every index is a position in the input `key`.
"""

from __future__ import annotations

import numpy as np

from evalsuite.clrs.sampling import random_sequence
from evalsuite.clrs.sorting import sample_keys
from evalsuite.clrs.spec import AlgorithmSpec, Field, Flavor, Kind, Trace

KEY = (Field("key", Kind.FLOATS),)


def minimum(key: np.ndarray) -> Trace:
    """Scan the keys left to right, keeping the index of the first smallest one."""
    keys = key.tolist()
    smallest = 0
    frames = [(0,)]
    for i in range(1, len(keys)):
        # Strictly greater: the first of equal minima stays.
        if keys[smallest] > keys[i]:
            smallest = i
        frames.append((smallest,))
    return Trace(inputs=(keys,), outputs=(smallest,), frames=tuple(frames))


def sample_search(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """The binary search sampler: n sorted keys from U[0, 1), then a target from U[0, 1)."""
    keys = random_sequence(rng, length)
    keys.sort()
    target = rng.uniform(low=0.0, high=1.0)
    return [keys, target]


def binary_search(key: np.ndarray, target: float) -> Trace:
    """Find the first key >= target (the last index when none is), narrowing (low, high)."""
    keys = key.tolist()
    low, high = 0, len(keys) - 1
    frames = [(low, high)]
    while low < high:
        middle = (low + high) // 2
        if target <= keys[middle]:
            high = middle
        else:
            low = middle + 1
        frames.append((low, high))
    return Trace(inputs=(keys, target), outputs=(high,), frames=tuple(frames))


def _partition(values: list[float], positions: list[int], first: int, last: int) -> int:
    """Lomuto partition of values[first..last] around values[last]; the pivot's final slot.

    `positions` follows every swap, so it keeps each slot's original key index.
    """
    pivot = values[last]
    boundary = first - 1
    for j in range(first, last):
        if values[j] <= pivot:
            boundary += 1
            values[boundary], values[j] = values[j], values[boundary]
            positions[boundary], positions[j] = positions[j], positions[boundary]
    boundary += 1
    values[boundary], values[last] = values[last], values[boundary]
    positions[boundary], positions[last] = positions[last], positions[boundary]
    return boundary


def quickselect(key: np.ndarray) -> Trace:
    """Select the key of rank n // 2 by repeated partitioning; its original index is the answer.

    A partition of slots first..last shows one frame per compared key plus one for the final
    swap, each naming the same pivot key (the one that started in slot `last`).
    """
    keys = key.tolist()
    values = list(keys)
    positions = list(range(len(keys)))
    first, last, rank = 0, len(keys) - 1, len(keys) // 2
    frames: list[tuple[int]] = []
    while True:
        frames.extend([(positions[last],)] * (last - first + 1))
        slot = _partition(values, positions, first, last)
        pivot_rank = slot - first
        if rank == pivot_rank:
            return Trace(inputs=(keys,), outputs=(positions[slot],), frames=tuple(frames))
        if rank < pivot_rank:
            last = slot - 1
        else:
            first, rank = slot + 1, rank - pivot_rank - 1


# Length 1 crashes dm-clrs's own text rendering, so the shortest length is 2.
ALGORITHMS = (
    AlgorithmSpec(
        name="minimum", chapter="searching", inputs=KEY,
        outputs=(Field("min", Kind.INDEX),), hints=(Field("min_h", Kind.INDEX),),
        sample=sample_keys, run=minimum, min_length=2,
    ),
    AlgorithmSpec(
        name="binary_search", chapter="searching",
        inputs=KEY + (Field("target", Kind.FLOAT),),
        outputs=(Field("return", Kind.INDEX),),
        hints=(Field("low", Kind.INDEX), Field("high", Kind.INDEX)),
        sample=sample_search, run=binary_search, min_length=2,
        trace_label="low, high", answer_from_trace=True, parenthesised=True,
    ),
    AlgorithmSpec(
        name="quickselect", chapter="searching", inputs=KEY,
        outputs=(Field("median", Kind.INDEX),), hints=(Field("pivot", Kind.INDEX),),
        sample=sample_keys, run=quickselect, min_length=2,
        trace_label="pivot", answer_from_trace=True,
    ),
)
