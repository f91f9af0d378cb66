"""Specification tests for the sorting chapter: insertion sort, bubble sort, heapsort, quicksort."""

from __future__ import annotations

import numpy as np
import pytest

from evalsuite.clrs import iter_samples
from evalsuite.clrs.registry import get_algorithm
from evalsuite.clrs.sorting import bubble_sort, heapsort, insertion_sort, quicksort
from evalsuite.errors import EvalsuiteError

SORTS = (insertion_sort, bubble_sort, heapsort, quicksort)


def frames_of(trace) -> list[list[float]]:
    return [frame[0] for frame in trace.frames]


@pytest.mark.parametrize("sort", SORTS, ids=lambda sort: sort.__name__)
@pytest.mark.parametrize("length", [2, 3, 7, 16])
def test_output_is_the_keys_sorted_and_every_frame_a_rearrangement(sort, length):
    keys = np.random.RandomState(length).uniform(size=length)
    # Truncated keys make ties, which must survive sorting too.
    keys = np.trunc(keys * 10) / 10
    trace = sort(keys)
    assert trace.inputs == (keys.tolist(),)
    assert trace.outputs == (sorted(keys.tolist()),)
    assert frames_of(trace)[-1] == sorted(keys.tolist())
    for frame in frames_of(trace):
        assert sorted(frame) == sorted(keys.tolist())


def test_insertion_sort_shows_one_frame_per_inserted_key():
    trace = insertion_sort(np.array([3.0, 1.0, 2.0]))
    assert frames_of(trace) == [[3.0, 1.0, 2.0], [1.0, 3.0, 2.0], [1.0, 2.0, 3.0]]


def test_bubble_sort_shows_one_frame_per_comparison():
    trace = bubble_sort(np.array([3.0, 1.0, 2.0]))
    # i = 0 compares positions (2, 1) then (1, 0); i = 1 compares (2, 1).
    assert frames_of(trace) == [[3.0, 1.0, 2.0], [3.0, 1.0, 2.0], [1.0, 3.0, 2.0], [1.0, 2.0, 3.0]]
    assert len(bubble_sort(np.arange(10.0)).frames) == 1 + 10 * 9 // 2


def test_heapsort_shows_every_heapify_level_and_every_extraction():
    trace = heapsort(np.array([1.0, 2.0]))
    assert frames_of(trace) == [
        [1.0, 2.0],  # initial
        [1.0, 2.0],  # heapify the leaf
        [2.0, 1.0],  # heapify the root: swap with the larger child
        [2.0, 1.0],  # ... and the level below it
        [1.0, 2.0],  # move the maximum to the end
        [1.0, 2.0],  # heapify the one-element heap
    ]


def test_quicksort_has_no_frame_before_the_first_comparison():
    trace = quicksort(np.array([3.0, 1.0, 2.0]))
    # Pivot 2: 3 stays right, 1 moves left, then the pivot lands between them.
    assert frames_of(trace) == [[3.0, 1.0, 2.0], [1.0, 3.0, 2.0], [1.0, 2.0, 3.0]]


def test_quicksort_on_sorted_keys_partitions_every_suffix():
    # Each partition of k keys shows k frames; sorted input peels one key at a time.
    assert len(quicksort(np.arange(6.0)).frames) == sum(range(2, 7))


def test_quicksort_sends_keys_equal_to_the_pivot_left():
    # The equal key goes left, so the pivot lands in the middle and both sides are done;
    # with a strict comparison the pivot would land first and the right pair be partitioned.
    trace = quicksort(np.array([0.5, 0.7, 0.5]))
    assert frames_of(trace) == [[0.5, 0.7, 0.5], [0.5, 0.7, 0.5], [0.5, 0.5, 0.7]]


@pytest.mark.parametrize("name", ["insertion_sort", "bubble_sort", "heapsort", "quicksort"])
def test_a_single_key_is_refused(name):
    assert get_algorithm(name).min_length == 2
    with pytest.raises(EvalsuiteError, match="at least 2"):
        list(iter_samples([name], [1]))


def test_sorting_algorithms_see_the_same_keys_at_equal_length_and_seed():
    questions = {
        sample.question.splitlines()[1]
        for name in ("insertion_sort", "bubble_sort", "heapsort", "quicksort")
        for sample in iter_samples([name], [5], [3], 1)
    }
    assert len(questions) == 1


def test_hinted_rendering_of_two_keys_has_an_empty_trace():
    [sample] = iter_samples(["quicksort"], [2], [0], 1, "on", "paper")
    assert sample.question.endswith("\ntrace | pred:\n")
    assert sample.answer.startswith(" | [")
