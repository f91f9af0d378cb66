"""Dynamic programming (CLRS chapter 15): matrix-chain order, LCS length, optimal BST.

The text shows one table per algorithm: the split table `s`, the arrow table `b` and the
root table `root`. matrix_chain_order and lcs_length fill their tables by repeated full
sweeps (each sweep reads only the previous sweep's values) until the cost table stops
changing; one hint frame per sweep. optimal_bst fills one diagonal per frame.
"""

from __future__ import annotations

import numpy as np

from evalsuite.clrs.sampling import random_sequence, random_string
from evalsuite.clrs.spec import AlgorithmSpec, Field, Flavor, Kind, Trace

Table = list[list]

# lcs_length arrows: 0 diagonal (match), 1 up, 2 left; -1 prints a masked cell.
DIAGONAL, UP, LEFT, MASKED = 0, 1, 2, -1
# The official code seeds each optimal_bst cost with this before minimising.
BST_COST_CEILING = 1e9


def _copy(table: Table) -> Table:
    return [row[:] for row in table]


# --- matrix_chain_order --------------------------------------------------------------


def sample_dimensions(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """The chain's n dimensions p: U[0, 1), drawn like the sorting keys."""
    return [random_sequence(rng, length)]


def _chain_candidates(
    changed: list[tuple[int, int]], cost: Table, known: Table, dims: list[float]
) -> dict[tuple[int, int], dict[int, float]]:
    """The splits a sweep must try: those that use a cell that changed in the last sweep.

    A split (i, k, j) costs cost[i][k] + cost[k+1][j] + p[i-1]·p[k]·p[j] and is only
    tried when both halves are known. A split whose halves did not change gives the
    same cost as last sweep, which the cell already holds or beats, so it is skipped.
    Costs are computed now, from the previous sweep's table, in the official order of
    operations so that floating-point ties come out the same.
    """
    size = len(dims)
    candidates: dict[tuple[int, int], dict[int, float]] = {}
    for low, high in changed:
        part = cost[low][high]
        # (low, high) as the left half: the cell (low, j) split at k = high.
        product = dims[low - 1] * dims[high]
        below = high + 1
        for j in range(below, size):
            if known[below][j]:
                candidates.setdefault((low, j), {})[high] = part + cost[below][j] + product * dims[j]
        # (low, high) as the right half: the cell (i, high) split at k = low - 1.
        split = low - 1
        for i in range(1, split + 1):
            if known[i][split]:
                candidates.setdefault((i, high), {})[split] = (
                    cost[i][split] + part + dims[i - 1] * dims[split] * dims[high]
                )
    return candidates


def _apply_chain_sweep(
    candidates: dict[tuple[int, int], dict[int, float]], cost: Table, splits: Table, known: Table
) -> tuple[list[tuple[int, int]], bool]:
    """Apply one sweep's splits; return the cells that changed and whether any cost did.

    In a cell, splits are tried by increasing k: the first one fills a newly known cell,
    later ones replace it only when strictly cheaper.
    """
    changed = []
    any_cost_changed = False
    for (i, j), costs in candidates.items():
        was_known = known[i][j]
        start = best = cost[i][j]
        filled = was_known
        for k in sorted(costs):
            candidate = costs[k]
            if not filled or candidate < best:
                best, filled = candidate, True
                splits[i][j] = k
        cost[i][j] = best
        known[i][j] = True
        if best != start:
            any_cost_changed = True
            changed.append((i, j))
        elif not was_known:  # a zero-cost fill: the cell's value is unchanged but now usable
            changed.append((i, j))
    return changed, any_cost_changed


def matrix_chain_order(p: np.ndarray) -> Trace:
    """Matrix-chain split table by sweeps until the cost table is stable.

    Only cost changes end the loop, so with zero dimensions (possible after truncation)
    it can stop before every cell is known, exactly as the official code does.
    """
    dims = p.tolist()
    size = len(dims)
    cost = [[0.0] * size for _ in range(size)]
    splits = [[0] * size for _ in range(size)]
    known = [[False] * size for _ in range(size)]
    for i in range(1, size):
        known[i][i] = True
    changed = [(i, i) for i in range(1, size)]
    frames = []
    while True:
        frames.append((_copy(splits),))
        candidates = _chain_candidates(changed, cost, known, dims)
        changed, any_cost_changed = _apply_chain_sweep(candidates, cost, splits, known)
        if not any_cost_changed:
            break
    return Trace(inputs=(dims,), outputs=(splits,), frames=tuple(frames))


# --- lcs_length ----------------------------------------------------------------------


def sample_strings(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """Two strings over 4 letters of total length n: the first n - n//2, the second n//2."""
    second = length // 2
    return [random_string(rng, length - second), random_string(rng, second)]


def _lcs_borders(xs: list[int], ys: list[int]) -> tuple[Table, Table]:
    """Length and arrow tables with the first column, then the first row, filled."""
    cost = [[0] * len(ys) for _ in xs]
    arrows = [[0] * len(ys) for _ in xs]
    for i, letter in enumerate(xs):
        if letter == ys[0]:
            cost[i][0], arrows[i][0] = 1, DIAGONAL
        else:
            cost[i][0] = 1 if i > 0 and cost[i - 1][0] == 1 else 0
            arrows[i][0] = UP
    for j, letter in enumerate(ys):
        if xs[0] == letter:
            cost[0][j], arrows[0][j] = 1, DIAGONAL
        elif j > 0 and cost[0][j - 1] == 1:
            cost[0][j], arrows[0][j] = 1, LEFT
        else:
            cost[0][j], arrows[0][j] = 0, UP
    return cost, arrows


def _lcs_sweep(xs: list[int], ys: list[int], previous: Table, arrows: Table) -> Table:
    """One sweep over the inner cells from the previous lengths; arrows updated in place."""
    current = _copy(previous)
    columns = range(1, len(ys))
    for i in range(1, len(xs)):
        above, left, row, arrow_row, letter = previous[i - 1], previous[i], current[i], arrows[i], xs[i]
        for j in columns:
            if letter == ys[j]:
                row[j], arrow_row[j] = above[j - 1] + 1, DIAGONAL
            elif above[j] >= left[j - 1]:
                row[j], arrow_row[j] = above[j], UP
            else:
                row[j], arrow_row[j] = left[j - 1], LEFT
    return current


def _lcs_frame(arrows: Table, masked_row: list[int]) -> Table:
    """The printed (n+m)×(n+m) table: arrows in the first string's rows, the rest masked."""
    prefix = masked_row[: len(arrows)]
    return [prefix + row for row in arrows] + [masked_row] * (len(masked_row) - len(arrows))


def lcs_length(x: np.ndarray, y: np.ndarray) -> Trace:
    """LCS arrow table by sweeps until the length table is stable."""
    xs, ys = x.tolist(), y.tolist()
    masked_row = [MASKED] * (len(xs) + len(ys))
    cost, arrows = _lcs_borders(xs, ys)
    frames = []
    while True:
        frames.append((_lcs_frame(arrows, masked_row),))
        swept = _lcs_sweep(xs, ys, cost, arrows)
        if swept == cost:
            break
        cost = swept
    output = _lcs_frame(arrows, masked_row)
    which_string = [0] * len(xs) + [1] * len(ys)
    return Trace(inputs=(which_string, xs + ys), outputs=(output,), frames=tuple(frames))


# --- optimal_bst ---------------------------------------------------------------------


def sample_probabilities(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """2n+1 U[0, 1) draws normalised to sum 1: the first n are p (keys), the rest q (gaps)."""
    weights = random_sequence(rng, 2 * length + 1)
    weights /= np.sum(weights)
    return [weights[:length], weights[length:]]


def _fill_bst_diagonal(
    span: int, p: list[float], q: list[float], cost: Table, weight: Table, root: Table
) -> None:
    """Fill the cells (i, i + span): subtree weight, cheapest cost, first cheapest root."""
    for i in range(len(p) - span + 1):
        j = i + span
        row_cost, row_weight = cost[i], weight[i]
        total = row_weight[j - 1] + p[j - 1] + q[j]
        row_weight[j] = total
        best, best_root = BST_COST_CEILING, root[i][j]
        for r in range(i, j):
            candidate = row_cost[r] + cost[r + 1][j] + total
            if candidate < best:
                best, best_root = candidate, r
        row_cost[j] = best
        root[i][j] = best_root


def optimal_bst(p: np.ndarray, q: np.ndarray) -> Trace:
    """Optimal BST root table (Aho et al.), one frame per subtree size."""
    keys, gaps = p.tolist(), q.tolist()
    size = len(gaps)
    cost = [[0.0] * size for _ in range(size)]
    weight = [[0.0] * size for _ in range(size)]
    root = [[0] * size for _ in range(size)]
    for i, gap in enumerate(gaps):
        cost[i][i] = weight[i][i] = gap
    frames = [(_copy(root),)]
    for span in range(1, len(keys) + 1):
        _fill_bst_diagonal(span, keys, gaps, cost, weight, root)
        frames.append((_copy(root),))
    # The text shows p padded with a zero to the length of q.
    return Trace(inputs=(keys + [0.0], gaps), outputs=(root,), frames=tuple(frames))


# At length 1 matrix_chain_order's input is squeezed to a scalar and lcs_length's second
# string is empty: the official code fails on both, so they start at 2.
ALGORITHMS = (
    AlgorithmSpec(
        name="matrix_chain_order", chapter="dynamic_programming",
        inputs=(Field("p", Kind.FLOATS),), outputs=(Field("s", Kind.INT_MATRIX),),
        hints=(Field("s", Kind.INT_MATRIX),),
        sample=sample_dimensions, run=matrix_chain_order, min_length=2,
    ),
    AlgorithmSpec(
        name="lcs_length", chapter="dynamic_programming",
        inputs=(Field("string", Kind.INTS), Field("key", Kind.INTS)),
        outputs=(Field("b", Kind.INT_MATRIX),), hints=(Field("b", Kind.INT_MATRIX),),
        sample=sample_strings, run=lcs_length, min_length=2,
    ),
    AlgorithmSpec(
        name="optimal_bst", chapter="dynamic_programming",
        inputs=(Field("p", Kind.FLOATS), Field("q", Kind.FLOATS)),
        outputs=(Field("root", Kind.INT_MATRIX),), hints=(Field("root", Kind.INT_MATRIX),),
        sample=sample_probabilities, run=optimal_bst,
    ),
)
