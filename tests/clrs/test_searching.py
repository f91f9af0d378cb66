"""Specification tests for the searching chapter: minimum, binary search, quickselect."""

from __future__ import annotations

import numpy as np
import pytest

from evalsuite.clrs.registry import get_algorithm
from evalsuite.clrs.render import render
from evalsuite.clrs.searching import binary_search, minimum, quickselect


def keys(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)


def test_minimum_finds_the_first_smallest_key_with_one_frame_per_key():
    trace = minimum(keys(0.5, 0.2, 0.9, 0.2, 0.3))
    assert trace.outputs == (1,)
    assert trace.frames == ((0,), (1,), (1,), (1,), (1,))


def test_binary_search_returns_the_first_key_not_below_the_target():
    sorted_keys = keys(0.1, 0.3, 0.3, 0.6, 0.8)
    assert binary_search(sorted_keys, 0.3).outputs == (1,)
    assert binary_search(sorted_keys, 0.7).outputs == (4,)
    assert binary_search(sorted_keys, 0.0).outputs == (0,)
    # A target above every key still lands on the last index.
    assert binary_search(sorted_keys, 0.95).outputs == (4,)


def test_binary_search_frames_narrow_the_window_to_the_answer():
    trace = binary_search(keys(0.1, 0.3, 0.6, 0.8), 0.7)
    assert trace.frames == ((0, 3), (2, 3), (3, 3))


@pytest.mark.parametrize("seed", range(10))
def test_quickselect_returns_the_index_of_the_median_rank_key(seed):
    values = np.random.RandomState(seed).uniform(size=7 + seed)
    trace = quickselect(values)
    (median,) = trace.outputs
    assert values[median] == np.sort(values)[len(values) // 2]
    # The last pivot is the selected key, and the key itself is left untouched.
    assert trace.frames[-1] == (median,)
    assert trace.inputs[0] == values.tolist()


def test_quickselect_shows_one_frame_per_comparison_and_per_final_swap():
    # Keys already sorted: the first partition puts the last key (index 3) in its place
    # after 3 comparisons; the second, on slots 0..2, puts index 2 in its place.
    trace = quickselect(keys(0.1, 0.2, 0.3, 0.4))
    assert trace.outputs == (2,)
    assert trace.frames == ((3,),) * 4 + ((2,),) * 3


def test_binary_search_text_shows_the_parenthesised_window_and_target():
    spec = get_algorithm("binary_search")
    trace = binary_search(keys(0.1, 0.3, 0.6, 0.8), 0.7)
    question, answer = render(spec, trace, use_hints=True, flavor="current")
    assert question == (
        "binary_search:\nkey: [0.1 0.3 0.6 0.8], target: 0.7, initial_trace: (0, 3)\n"
        "trace | (low, high):\n"
    )
    assert answer == "(2, 3) | (3, 3)\n\n"
    assert render(spec, trace, use_hints=False, flavor="paper") == (
        "binary_search:\nkey: [0.1 0.3 0.6 0.8], target: 0.700\nreturn:\n",
        "3\n\n",
    )


def test_quickselect_hinted_answer_is_the_last_pivot():
    spec = get_algorithm("quickselect")
    question, answer = render(spec, quickselect(keys(0.1, 0.2, 0.3, 0.4)), True, "current")
    assert question.endswith("initial_trace: 3\ntrace | pivot:\n")
    assert answer == "3, 3, 3, 2, 2 | 2\n\n"
