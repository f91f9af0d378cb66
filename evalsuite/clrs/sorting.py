"""Sorting (CLRS chapters 2, 6, 7): insertion sort, bubble sort, heapsort, quicksort.

The text shows the `pred` hint: the keys in the order the algorithm holds them at each step.
"""

from __future__ import annotations

import numpy as np

from evalsuite.clrs.sampling import random_sequence
from evalsuite.clrs.spec import AlgorithmSpec, Field, Flavor, Kind, Trace

KEY = (Field("key", Kind.FLOATS),)
PRED = (Field("pred", Kind.FLOATS),)


def sample_keys(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """The sorting sampler: n keys from U[0, 1)."""
    return [random_sequence(rng, length)]


def _in_order(keys: list[float], order: list[int]) -> list[float]:
    return [keys[i] for i in order]


def insertion_sort(key: np.ndarray) -> Trace:
    keys = key.tolist()
    values = list(keys)
    order = list(range(len(keys)))
    frames = [(_in_order(keys, order),)]
    for j in range(1, len(values)):
        current, position = values[j], order[j]
        i = j - 1
        while i >= 0 and values[i] > current:
            values[i + 1] = values[i]
            order[i + 1] = order[i]
            i -= 1
        values[i + 1] = current
        order[i + 1] = position
        frames.append((_in_order(keys, order),))
    return Trace(inputs=(keys,), outputs=(_in_order(keys, order),), frames=tuple(frames))


ALGORITHMS = (
    AlgorithmSpec(
        name="insertion_sort", chapter="sorting", inputs=KEY, outputs=PRED, hints=PRED,
        sample=sample_keys, run=insertion_sort,
    ),
)
