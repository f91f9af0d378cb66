"""Divide and conquer (CLRS chapter 4): Kadane's maximum subarray.

The text shows the `(best_low, best_high)` hint: the bounds of the best subarray so far.
"""

from __future__ import annotations

import numpy as np

from evalsuite.clrs.sampling import random_sequence
from evalsuite.clrs.spec import AlgorithmSpec, Field, Flavor, Kind, Trace


def sample_signed_keys(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """The maximum subarray sampler: n keys from U[-1, 1)."""
    return [random_sequence(rng, length, low=-1.0, high=1.0)]


def find_maximum_subarray_kadane(key: np.ndarray) -> Trace:
    """One left-to-right pass keeping the best-ending-here sum and the best sum so far.

    Ties keep the earlier choice: the running subarray is extended when that is no worse
    than restarting, and the best bounds move only on a strictly larger sum.
    """
    keys = key.tolist()
    best_low = best_high = 0
    best_sum = running_sum = keys[0]
    running_low = 0
    frames = [(0, 0)]
    for j in range(1, len(keys)):
        value = keys[j]
        if running_sum + value >= value:
            running_sum += value
        else:
            running_low, running_sum = j, value
        if running_sum > best_sum:
            best_low, best_high, best_sum = running_low, j, running_sum
        frames.append((best_low, best_high))
    return Trace(inputs=(keys,), outputs=(best_low, best_high), frames=tuple(frames))


# Length 1 crashes dm-clrs's own text rendering, so the shortest length is 2.
ALGORITHMS = (
    AlgorithmSpec(
        name="find_maximum_subarray_kadane", chapter="divide_and_conquer",
        inputs=(Field("key", Kind.FLOATS),),
        outputs=(Field("start", Kind.INDEX), Field("end", Kind.INDEX)),
        hints=(Field("best_low", Kind.INDEX), Field("best_high", Kind.INDEX)),
        sample=sample_signed_keys, run=find_maximum_subarray_kadane, min_length=2,
        trace_label="best_low, best_high", answer_from_trace=True, parenthesised=True,
    ),
)
