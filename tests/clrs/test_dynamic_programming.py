"""Dynamic programming traces: textbook answers, frame structure, sampler shapes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from evalsuite.clrs import get_algorithm, iter_samples
from evalsuite.clrs.dynamic_programming import lcs_length, matrix_chain_order, optimal_bst


def test_matrix_chain_order_textbook_splits():
    # CLRS figure 15.5: dimensions 30x35, 35x15, 15x5, 5x10, 10x20, 20x25.
    trace = matrix_chain_order(np.array([30.0, 35, 15, 5, 10, 20, 25]))
    (splits,) = trace.outputs
    assert splits[1][6] == 3 and splits[1][3] == 1 and splits[4][6] == 5
    assert splits[2][5] == 3 and splits[1][2] == 1
    assert all(value == 0 for value in splits[0]) and all(row[0] == 0 for row in splits)
    assert trace.frames[0] == ([[0] * 7 for _ in range(7)],)


def _full_sweeps(dims: list[float]) -> tuple[list[list[int]], list[list[list[int]]]]:
    """Matrix-chain by complete sweeps over every cell and split, one at a time.

    Returns the final split table and the split table at the start of each sweep.
    """
    size = len(dims)
    cost = [[0.0] * size for _ in range(size)]
    splits = [[0] * size for _ in range(size)]
    known = [[i == j and i > 0 for j in range(size)] for i in range(size)]
    frames = []
    while True:
        frames.append([row[:] for row in splits])
        old_cost, old_known = [r[:] for r in cost], [r[:] for r in known]
        for i, j in itertools.combinations(range(1, size), 2):
            filled = old_known[i][j]
            for k in range(i, j):
                if old_known[i][k] and old_known[k + 1][j]:
                    known[i][j] = True
                    q = old_cost[i][k] + old_cost[k + 1][j] + dims[i - 1] * dims[k] * dims[j]
                    if not filled or q < cost[i][j]:
                        cost[i][j], splits[i][j], filled = q, k, True
        if cost == old_cost:
            return splits, frames


@pytest.mark.parametrize("seed", range(40))
def test_matrix_chain_order_matches_full_sweeps(seed):
    # Coarse dimensions with zeros make ties and early stops common.
    rng = np.random.RandomState(seed)
    dims = rng.randint(0, 4, size=rng.randint(2, 12)).astype(float)
    trace = matrix_chain_order(dims)
    splits, frames = _full_sweeps(dims.tolist())
    assert trace.outputs == (splits,)
    assert trace.frames == tuple((frame,) for frame in frames)


def test_matrix_chain_order_zero_cost_stops_early():
    # The only product is 0: the cost table never changes, so one sweep and no hint step.
    trace = matrix_chain_order(np.array([0.0, 1.0, 1.0]))
    assert trace.outputs == ([[0, 0, 0], [0, 0, 1], [0, 0, 0]],)
    assert len(trace.frames) == 1


def _brute_lcs(xs: list[int], ys: list[int]) -> int:
    for size in range(min(len(xs), len(ys)), 0, -1):
        subsequences = set(itertools.combinations(ys, size))
        if any(sub in subsequences for sub in itertools.combinations(xs, size)):
            return size
    return 0


def _follow_arrows(arrows: list[list[int]], rows: int) -> int:
    """Length of the LCS read back from the printed table (first string's rows only)."""
    i, j, found = rows - 1, len(arrows[0]) - rows - 1, 0
    while True:
        arrow = arrows[i][rows + j]
        if arrow == 0:
            found += 1
            if i == 0 or j == 0:
                return found
            i, j = i - 1, j - 1
        elif arrow == 1:
            if i == 0:
                return found
            i -= 1
        else:
            j -= 1


@pytest.mark.parametrize("seed", range(30))
def test_lcs_length_arrows_spell_a_longest_common_subsequence(seed):
    rng = np.random.RandomState(seed)
    x, y = rng.randint(0, 4, size=rng.randint(1, 8)), rng.randint(0, 4, size=rng.randint(1, 8))
    trace = lcs_length(x, y)
    (table,) = trace.outputs
    assert len(table) == len(x) + len(y)
    assert all(value == -1 for row in table[len(x):] for value in row)
    assert all(row[: len(x)] == [-1] * len(x) for row in table)
    assert _follow_arrows(table, len(x)) == _brute_lcs(x.tolist(), y.tolist())
    assert trace.inputs == ([0] * len(x) + [1] * len(y), x.tolist() + y.tolist())


def test_optimal_bst_textbook_root():
    # CLRS figure 15.10: key k2 (index 1) is the root of the whole tree.
    trace = optimal_bst(np.array([0.15, 0.10, 0.05, 0.10, 0.20]),
                        np.array([0.05, 0.10, 0.05, 0.05, 0.05, 0.10]))
    (root,) = trace.outputs
    assert root[0][5] == 1 and root[2][5] == 4 and root[0][2] == 0
    assert len(trace.frames) == 6  # the empty table, then one per subtree size
    assert trace.frames[-1] == (root,)
    assert trace.inputs[0] == [0.15, 0.10, 0.05, 0.10, 0.20, 0.0]


def test_samplers_draw_the_official_shapes():
    rng = np.random.RandomState(0)
    p, q = get_algorithm("optimal_bst").sample(rng, 4, "paper")
    assert len(p) == 4 and len(q) == 5 and np.isclose(p.sum() + q.sum(), 1.0)
    x, y = get_algorithm("lcs_length").sample(rng, 7, "paper")
    assert len(x) == 4 and len(y) == 3 and set(x) | set(y) <= {0, 1, 2, 3}


def test_rendered_text_of_matrix_chain_order():
    (sample,) = iter_samples(["matrix_chain_order"], [3], [0], 1, "on", "current")
    assert sample.question.startswith(
        "matrix_chain_order:\np: [0.548 0.715 0.602], initial_trace: "
    )
    assert sample.answer == " | [[0 0 0], [0 0 1], [0 0 0]]\n\n"
