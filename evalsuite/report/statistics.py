"""The statistics of the reports, each implemented once: intervals, standard errors, tests.

Everything here takes numpy arrays (or pandas objects) and returns numbers or arrays; the
tables (summary, compare, repeated samples) only arrange what these functions compute.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

Z95 = 1.959963984540054  # the standard normal's 97.5% quantile

# Drawing the counts of each distinct value (a multinomial) costs about nine times as much
# per value as drawing one index; the cheaper of the two exact methods is used.
_MULTINOMIAL_COST = 9
_INDEX_CHUNK = 1 << 22  # indices drawn at once


def wilson_interval(successes, n, z: float = Z95):
    """The Wilson score interval of a proportion (sound near 0 and 1 and for small n).

    Works on numbers or numpy arrays; n = 0 gives NaN.
    """
    successes = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def cluster_robust_se(values, clusters, groups=None):
    """The cluster-robust (CR1) standard error of the mean of `values`, per group.

    With N values in G clusters, residuals e_i = y_i - mean(y) and cluster sums
    S_g = sum of e_i over cluster g:

        SE = sqrt( G / (G - 1) * sum_g S_g**2 / N**2 )

    G / (G - 1) is the usual small-sample factor (Stata's CR1 for a regression on a
    constant, where its (N - 1) / (N - K) is 1). With one value per cluster this is exactly
    the naive s / sqrt(N); fewer than two clusters give NaN. NaN values are left out.
    `clusters` labels each value; `groups`, integer codes 0..k-1 (such as
    `DataFrame.groupby(...).ngroup()`), asks for one standard error per group (an array),
    each over the clusters within that group; without it the result is one number.
    """
    values = np.asarray(values, dtype=float)
    codes = group_codes(groups, len(values))
    count = codes.max() + 1 if len(codes) else 1
    keep = ~np.isnan(values)
    values, codes = values[keep], codes[keep]
    cluster_codes = pd.factorize(np.asarray(clusters)[keep], use_na_sentinel=False)[0]
    width = cluster_codes.max() + 1 if len(cluster_codes) else 1
    cells, cell_codes = np.unique(codes * width + cluster_codes, return_inverse=True)
    cell_group = cells // width
    size = np.bincount(codes, minlength=count)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(codes, values, minlength=count) / size
        residual_sums = np.bincount(cell_codes, values) - np.bincount(cell_codes) * mean[cell_group]
        clusters_per_group = np.bincount(cell_group, minlength=count)
        variance = (clusters_per_group / (clusters_per_group - 1)
                    * np.bincount(cell_group, residual_sums ** 2, minlength=count) / size ** 2)
    se = np.where(clusters_per_group > 1, np.sqrt(np.maximum(variance, 0.0)), np.nan)
    return float(se[0]) if groups is None else se


def group_codes(groups, count: int) -> np.ndarray:
    """Integer group codes 0..k-1 as an array; None: all values in group 0."""
    if groups is None:
        return np.zeros(count, dtype=np.int64)
    codes = np.asarray(groups)
    if codes.dtype.kind not in "iu" or (len(codes) and codes.min() < 0):
        raise ValueError("groups must be integer codes 0..k-1, e.g. DataFrame.groupby(...).ngroup()")
    return codes.astype(np.int64, copy=False)


@functools.cache
def t_critical(df: int, confidence: float = 0.95) -> float:
    """The two-sided critical value of Student's t with `df` (a whole number) degrees of
    freedom: P(|T| <= t) = confidence, by bisection on its exact finite-series distribution
    function. Past 1000 degrees of freedom, where they differ by under 0.1%, the normal's."""
    if df < 1:
        return math.nan
    central = _t_central if df <= 1000 else lambda t, _: math.erf(t / math.sqrt(2))
    low, high = 0.0, 1.0
    while central(high, df) < confidence:
        high *= 2
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if central(middle, df) < confidence else (low, middle)
    return (low + high) / 2


def _t_central(t: float, df: int) -> float:
    """P(|T| <= t) for T ~ t(df), df whole (Abramowitz and Stegun 26.7.3 and 26.7.4)."""
    theta = math.atan(t / math.sqrt(df))
    cos2 = math.cos(theta) ** 2
    term, total = 1.0, 1.0
    if df % 2 == 0:
        for k in range(1, df // 2):  # 1 + 1/2 c^2 + (1*3)/(2*4) c^4 + ...
            term *= cos2 * (2 * k - 1) / (2 * k)
            total += term
        return math.sin(theta) * total
    if df == 1:
        return 2 * theta / math.pi
    for k in range(1, (df - 1) // 2):  # 1 + 2/3 c^2 + (2*4)/(3*5) c^4 + ...
        term *= cos2 * (2 * k) / (2 * k + 1)
        total += term
    return 2 / math.pi * (theta + math.sin(theta) * math.cos(theta) * total)


def mcnemar_exact_p(a_only: int, b_only: int) -> float:
    """The two-sided exact McNemar test of paired right/wrong outcomes.

    `a_only` pairs have A right and B wrong, `b_only` the reverse. Under the null hypothesis
    each of the n = a_only + b_only discordant pairs is either kind with probability 1/2:

        p = min(1, 2 * sum_{i=0}^{min(a_only, b_only)} C(n, i) / 2**n)

    summed in logarithms so that it holds for millions of pairs; n = 0 gives 1.
    """
    n, smaller = int(a_only) + int(b_only), min(int(a_only), int(b_only))
    if n == 0:
        return 1.0
    steps = np.arange(1, smaller + 1, dtype=float)
    log_choose = np.concatenate([[0.0], np.cumsum(np.log(n - steps + 1) - np.log(steps))])
    log_terms = log_choose - n * math.log(2)
    largest = log_terms.max()
    tail = math.exp(largest) * float(np.exp(log_terms - largest).sum())
    return min(1.0, 2.0 * tail)


def pass_at_k(samples, right, k: int):
    """The unbiased pass@k of items with `samples` samples of which `right` are right:

        pass@k = 1 - C(n - c, k) / C(n, k)

    (the chance that k of the n samples drawn without replacement hold a right one), in
    exact integer arithmetic. Items with fewer than k samples give NaN. Arrays in, array out.
    """
    samples = np.asarray(samples, dtype=int)
    right = np.asarray(right, dtype=int)
    pairs, inverse = np.unique(np.stack([samples, right], axis=1), axis=0, return_inverse=True)
    values = np.array([
        math.nan if n < k else 1.0 - math.comb(n - c, k) / math.comb(n, k) for n, c in pairs
    ])
    return values[inverse.ravel()]


def majority_vote(items, answers, scores) -> pd.Series:
    """Per item, the score of its most frequent answer (self-consistency), by item label.

    Samples without an answer (None or NaN) do not vote; an item where none answered gets
    the mean score of its samples. Tied answers share the credit: the item gets the mean
    of their scores, the expected score of breaking the tie at random.
    """
    frame = pd.DataFrame({"item": items, "answer": answers, "score": np.asarray(scores, dtype=float)})
    voted = frame.dropna(subset=["answer"])
    classes = voted.groupby(["item", "answer"], sort=False)["score"].agg(votes="size", score="mean").reset_index()
    top = classes["votes"] == classes.groupby("item")["votes"].transform("max")
    winners = classes[top].groupby("item")["score"].mean()
    fallback = frame.groupby("item")["score"].mean()
    return winners.reindex(fallback.index).fillna(fallback)


def bootstrap_means(values, groups=None, resamples: int = 1000, seed: int = 0) -> np.ndarray:
    """Bootstrap draws of each group's mean: an array (resamples, groups); `groups` are
    integer codes 0..k-1 (None: one group), and every code must have a value.

    Each draw resamples a group's n values with replacement. Drawing n values with
    replacement is drawing how often each distinct value comes up (a multinomial with the
    values' shares), so groups with few distinct values (right/wrong scores: at most three
    differences) cost a handful of numbers per draw; groups with many draw indices. Both
    give the same distribution, and the result does not depend on the order of the rows.
    """
    values = np.asarray(values, dtype=float)
    codes = group_codes(groups, len(values))
    rng = np.random.default_rng(seed)
    order = np.lexsort((values, codes))
    values = values[order]
    ends = np.cumsum(np.bincount(codes))
    draws = np.full((resamples, len(ends)), np.nan)
    for group, (start, end) in enumerate(zip(np.r_[0, ends[:-1]], ends)):
        if end > start:
            draws[:, group] = _resampled_means(values[start:end], resamples, rng)
    return draws


def _resampled_means(values: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    distinct, counts = np.unique(values, return_counts=True)
    n = len(values)
    if len(distinct) * _MULTINOMIAL_COST < n:
        return rng.multinomial(n, counts / n, size=resamples) @ distinct / n
    means = np.empty(resamples)
    step = max(1, _INDEX_CHUNK // n)  # bounded memory for big groups
    for first in range(0, resamples, step):
        rows = min(step, resamples - first)
        means[first:first + rows] = values[rng.integers(0, n, size=(rows, n))].mean(axis=1)
    return means


@dataclass(frozen=True)
class Interval:
    """Percentile bootstrap intervals per group (arrays) and of the overall value."""

    low: np.ndarray
    high: np.ndarray
    overall_low: float
    overall_high: float


def percentile_interval(draws: np.ndarray, sizes, confidence: float = 0.95) -> Interval:
    """Percentile intervals of per-group draws (resamples, groups), and of the overall mean:
    each draw's group means weighted by the groups' sizes (a stratified bootstrap: every
    group keeps its size, as the design of a run fixes how many items each cell has)."""
    tails = [(1 - confidence) / 2, (1 + confidence) / 2]
    sizes = np.asarray(sizes, dtype=float)
    low, high = np.quantile(draws, tails, axis=0)
    overall = draws @ (sizes / sizes.sum())
    overall_low, overall_high = np.quantile(overall, tails)
    return Interval(low, high, float(overall_low), float(overall_high))


def paired_bootstrap(a, b, groups=None, resamples: int = 1000, seed: int = 0,
                     confidence: float = 0.95) -> Interval:
    """The interval of mean(a - b) per group and overall, resampling the pairs (a_i, b_i)."""
    difference = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    draws = bootstrap_means(difference, groups, resamples, seed)
    return percentile_interval(draws, _sizes(len(difference), groups), confidence)


def unpaired_bootstrap(a, b, groups=None, resamples: int = 1000, seed: int = 0,
                       confidence: float = 0.95) -> Interval:
    """The same interval if a and b were independent samples: each resampled on its own.
    (What comparing two runs by their separate intervals amounts to; for contrast.)"""
    draws_a = bootstrap_means(a, groups, resamples, seed)
    draws_b = bootstrap_means(b, groups, resamples, seed + 1)
    return percentile_interval(draws_a - draws_b, _sizes(len(np.asarray(a)), groups), confidence)


def _sizes(count: int, groups) -> np.ndarray:
    return np.bincount(group_codes(groups, count))
