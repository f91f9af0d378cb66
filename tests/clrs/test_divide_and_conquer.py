"""Specification tests for Kadane's maximum subarray."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from evalsuite.clrs.divide_and_conquer import find_maximum_subarray_kadane
from evalsuite.clrs.registry import get_algorithm
from evalsuite.clrs.render import render


def keys(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)


def test_finds_the_best_subarray_across_a_dip():
    trace = find_maximum_subarray_kadane(keys(0.5, -0.25, 0.5, -0.9, 0.25))
    assert trace.outputs == (0, 2)
    assert trace.frames == ((0, 0), (0, 0), (0, 2), (0, 2), (0, 2))


def test_all_negative_keys_give_the_single_largest_key():
    assert find_maximum_subarray_kadane(keys(-0.5, -0.125, -0.75)).outputs == (1, 1)


def test_ties_keep_the_earlier_and_shorter_subarray():
    # Restarting at index 2 would tie the best sum 0.5 but does not beat it.
    assert find_maximum_subarray_kadane(keys(0.5, -0.5, 0.5)).outputs == (0, 0)


@pytest.mark.parametrize("seed", range(10))
def test_sum_matches_brute_force(seed):
    values = np.random.RandomState(seed).uniform(-1, 1, size=9)
    start, end = find_maximum_subarray_kadane(values).outputs
    best = max(
        sum(values[i : j + 1]) for i, j in itertools.combinations_with_replacement(range(9), 2)
    )
    assert sum(values[start : end + 1]) == pytest.approx(best)


def test_text_shows_parenthesised_bounds_and_answers_with_the_last_frame():
    spec = get_algorithm("find_maximum_subarray_kadane")
    trace = find_maximum_subarray_kadane(keys(0.097, 0.43, 0.205, 0.089, -0.152))
    question, answer = render(spec, trace, use_hints=True, flavor="current")
    assert question == (
        "find_maximum_subarray_kadane:\nkey: [0.097 0.43 0.205 0.089 -0.152], "
        "initial_trace: (0, 0)\ntrace | (best_low, best_high):\n"
    )
    assert answer == "(0, 1), (0, 2), (0, 3) | (0, 3)\n\n"
    assert render(spec, trace, use_hints=False, flavor="current")[1] == "0, 3\n\n"
