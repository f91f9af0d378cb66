"""Dynamic programming (CLRS chapter 15): matrix-chain order, LCS length, optimal BST.

The text shows one table per algorithm: the split table `s`, the arrow table `b` and the
root table `root`. matrix_chain_order and lcs_length fill their tables by repeated full
sweeps (each sweep reads only the previous sweep's values) until the cost table stops
changing; one hint frame per sweep. optimal_bst fills one diagonal per frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from evalsuite.clrs.sampling import random_sequence, random_string
from evalsuite.clrs.spec import AlgorithmSpec, Field, Flavor, Kind, Trace

Table = list[list]

# lcs_length arrows: 0 diagonal (match), 1 up, 2 left; -1 prints a masked cell.
DIAGONAL, UP, LEFT, MASKED = 0, 1, 2, -1


def _copy(table: Table) -> Table:
    return [row[:] for row in table]


# --- matrix_chain_order --------------------------------------------------------------


def sample_dimensions(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """The chain's n dimensions p: U[0, 1), drawn like the sorting keys."""
    return [random_sequence(rng, length)]


@dataclass(frozen=True)
class _SweepLayout:
    """Every split one matrix-chain sweep tries, as flat indices into the n×n tables.

    Splits are grouped by cell (`starts` opens each group) with k ascending in a group,
    the official scan order. `left` and `right` index the two halves' costs.
    """

    cells: np.ndarray
    spans: np.ndarray
    starts: np.ndarray
    counts: np.ndarray
    left: np.ndarray
    right: np.ndarray
    k: np.ndarray
    outer: np.ndarray  # index of p[i-1] for each split
    inner: np.ndarray  # index of p[j] for each split


@lru_cache(maxsize=16)  # a length's few band widths; samples come grouped by length
def _sweep_layout(size: int, reach: int) -> _SweepLayout:
    """The splits tried when the known cells are those within `reach` of the diagonal.

    A split (i, k, j) needs both halves known: k - i <= reach and j - (k + 1) <= reach,
    so each cell's splits are a run of consecutive k.
    """
    i, j = np.triu_indices(size, k=1)
    keep = i >= 1
    i, j = i[keep], j[keep]
    lowest_k = np.maximum(i, j - 1 - reach)
    counts = np.minimum(j - 1, i + reach) - lowest_k + 1
    keep = counts > 0
    i, j, lowest_k, counts = i[keep], j[keep], lowest_k[keep], counts[keep]
    starts = np.cumsum(counts) - counts
    split_i, split_j = np.repeat(i, counts), np.repeat(j, counts)
    k = np.repeat(lowest_k - starts, counts) + np.arange(counts.sum())
    return _SweepLayout(
        cells=i * size + j, spans=j - i, starts=starts, counts=counts,
        left=split_i * size + k, right=(k + 1) * size + split_j, k=k,
        outer=split_i - 1, inner=split_j,
    )


def _chain_sweep(
    layout: _SweepLayout, products: np.ndarray, cost: np.ndarray, splits: np.ndarray, reach: int
) -> bool:
    """One sweep over every cell at once; return whether any cost changed.

    Each split costs (cost[i][k] + cost[k+1][j]) + p[i-1]·p[k]·p[j], added in the official
    order (numpy float64 arithmetic is the same IEEE arithmetic, so ties match). Trying
    splits by increasing k with strict improvement keeps the first cheapest split; a cell
    known before the sweep keeps its value unless that split is strictly cheaper.
    """
    if not len(layout.cells):
        return False
    flat_cost, flat_splits = cost.ravel(), splits.ravel()
    candidates = flat_cost[layout.left] + flat_cost[layout.right] + products
    lowest = np.minimum.reduceat(candidates, layout.starts)
    hits = np.flatnonzero(candidates == np.repeat(lowest, layout.counts))
    first_lowest = hits[np.searchsorted(hits, layout.starts)]
    previous = flat_cost[layout.cells]
    update = (layout.spans > reach) | (lowest < previous)
    flat_cost[layout.cells[update]] = lowest[update]
    flat_splits[layout.cells[update]] = layout.k[first_lowest[update]]
    return bool(np.any(lowest[update] != previous[update]))


def matrix_chain_order(p: np.ndarray) -> Trace:
    """Matrix-chain split table by sweeps until the cost table is stable.

    Each sweep reads only the previous sweep's costs. Known cells always form a band
    around the diagonal, widening from w to 2w+1 per sweep (a cell is known once some
    split has both halves known). Only cost changes end the loop, so with zero
    dimensions (possible after truncation) it can stop before every cell is known,
    exactly as the official code does. The sweeps are O(n^3) each and there are about n
    of them, so they run vectorised over all splits at once.
    """
    dims = np.asarray(p, dtype=float)
    size = len(dims)
    cost = np.zeros((size, size))
    splits = np.zeros((size, size), dtype=np.intp)
    reach = 0  # cells (i, j) with 1 <= i and j - i <= reach are known
    layout_band, layout, products = -1, None, None
    frames = []
    while True:
        frames.append((splits.tolist(),))
        band = min(reach, size)  # past the last diagonal the layout no longer changes
        if band != layout_band:
            layout_band, layout = band, _sweep_layout(size, band)
            products = dims[layout.outer] * dims[layout.k] * dims[layout.inner]
        if not _chain_sweep(layout, products, cost, splits, reach):
            break
        reach = 2 * reach + 1
    return Trace(inputs=(dims.tolist(),), outputs=(splits.tolist(),), frames=tuple(frames))


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
    """One sweep over the inner cells from the previous lengths; arrows updated in place.

    A matching pair extends the diagonal length; otherwise the longer of the cell above
    and the cell to the left wins, ties going up.
    """
    current = _copy(previous)
    columns = range(1, len(ys))
    for i in range(1, len(xs)):
        above, left, letter = previous[i - 1], previous[i], xs[i]
        row, arrow_row = current[i], arrows[i]
        for j in columns:
            if letter == ys[j]:
                row[j], arrow_row[j] = above[j - 1] + 1, DIAGONAL
            elif above[j] >= left[j - 1]:
                row[j], arrow_row[j] = above[j], UP
            else:
                row[j], arrow_row[j] = left[j - 1], LEFT
    return current


def _lcs_frame(arrows: Table, masked_row: list[int]) -> Table:
    """The printed (n+m)×(n+m) table.

    The arrows sit in the first string's rows and the second string's columns; every
    other cell is masked.
    """
    prefix = masked_row[: len(arrows)]
    return [prefix + row for row in arrows] + [masked_row] * (len(masked_row) - len(arrows))


def lcs_length(x: np.ndarray, y: np.ndarray) -> Trace:
    """LCS arrow table by sweeps until the length table is stable."""
    xs, ys = x.tolist(), y.tolist()
    masked_row = [MASKED] * (len(xs) + len(ys))  # shared by every frame: only ever read
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
    span: int, p: list[float], q: list[float], cost: Table, cost_by_column: Table,
    weight: Table, root: Table,
) -> None:
    """Fill the cells (i, i + span): subtree weight, cheapest cost, first cheapest root.

    Costs add in the official order, (e[i][r] + e[r+1][j]) + w[i][j], and a root is
    kept only when strictly cheaper, scanning roots upwards from the official 1e9 seed.
    """
    for i in range(len(p) - span + 1):
        j = i + span
        row_cost, row_weight, column_cost = cost[i], weight[i], cost_by_column[j]
        total = row_weight[j - 1] + p[j - 1] + q[j]
        row_weight[j] = total
        best, best_root = 1e9, 0
        for r in range(i, j):
            candidate = row_cost[r] + column_cost[r + 1] + total
            if candidate < best:
                best, best_root = candidate, r
        row_cost[j] = column_cost[i] = best
        root[i][j] = best_root


def optimal_bst(p: np.ndarray, q: np.ndarray) -> Trace:
    """Optimal BST root table (Aho et al.), one frame per subtree size."""
    keys, gaps = p.tolist(), q.tolist()
    size = len(gaps)
    cost = [[0.0] * size for _ in range(size)]
    cost_by_column = [[0.0] * size for _ in range(size)]  # the transpose, for fast columns
    weight = [[0.0] * size for _ in range(size)]
    root = [[0] * size for _ in range(size)]
    for i, gap in enumerate(gaps):
        cost[i][i] = cost_by_column[i][i] = weight[i][i] = gap
    frames = [(_copy(root),)]
    for span in range(1, len(keys) + 1):
        _fill_bst_diagonal(span, keys, gaps, cost, cost_by_column, weight, root)
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
