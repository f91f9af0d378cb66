"""Greedy traces: textbook answers, one frame per scanned item, sampler ranges."""

from __future__ import annotations

import numpy as np

from evalsuite.clrs import get_algorithm, iter_samples
from evalsuite.clrs.greedy import activity_selector, task_scheduling


def test_activity_selector_textbook_example():
    # CLRS section 16.1: activities a1, a4, a8, a11 are chosen.
    starts = np.array([1, 3, 0, 5, 3, 5, 6, 8, 8, 2, 12]) / 20
    finishes = np.array([4, 5, 6, 7, 9, 9, 10, 11, 12, 14, 16]) / 20
    trace = activity_selector(starts, finishes)
    assert trace.outputs == ([1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1],)
    assert len(trace.frames) == 12  # the empty mask, then one per activity scanned
    assert trace.frames[0] == ([0] * 11,)
    assert trace.frames[1] == ([1] + [0] * 10,)  # the earliest finisher is always kept
    assert trace.frames[-1] == trace.outputs


def test_activity_selector_keeps_a_start_equal_to_the_last_finish():
    trace = activity_selector(np.array([0.5, 0.0]), np.array([0.7, 0.5]))
    assert trace.outputs == ([1, 1],)


def test_task_scheduling_keeps_a_task_while_fewer_are_kept_than_its_deadline():
    # Penalties decreasing with the index; a task is kept when the count kept so far
    # is below its deadline (a counting rule, not the textbook's independence check).
    deadlines = np.array([4, 2, 4, 3, 1, 4, 6])
    weights = np.array([0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1])
    trace = task_scheduling(deadlines, weights)
    assert trace.outputs == ([1, 1, 1, 0, 0, 1, 1],)
    assert len(trace.frames) == 8
    assert trace.frames[1] == ([1, 0, 0, 0, 0, 0, 0],)
    assert trace.inputs == (deadlines.tolist(), weights.tolist())


def test_samplers_draw_the_official_ranges():
    rng = np.random.RandomState(3)
    starts, finishes = get_algorithm("activity_selector").sample(rng, 20, "paper")
    assert np.all(starts <= finishes) and np.all((0 <= starts) & (finishes < 1))
    deadlines, weights = get_algorithm("task_scheduling").sample(rng, 20, "paper")
    assert deadlines.min() >= 1 and deadlines.max() <= 20 and np.all(weights < 1)


def test_rendered_text_of_task_scheduling():
    (sample,) = iter_samples(["task_scheduling"], [2], [0], 1, "on", "current")
    assert sample.question == (
        "task_scheduling:\nd: [1 2], w: [0.715 0.602], initial_trace: [0 0]\ntrace | selected:\n"
    )
    assert sample.answer == "[1 0] | [1 1]\n\n"
