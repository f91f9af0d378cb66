"""Each statistic against its formula, worked out by hand here."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from evalsuite.report.statistics import (
    bootstrap_means,
    cluster_robust_se,
    majority_vote,
    mcnemar_exact_p,
    paired_bootstrap,
    pass_at_k,
    t_critical,
    unpaired_bootstrap,
)


def exact_mcnemar(b: int, c: int) -> float:
    """2 * P(X <= min(b, c)) for X ~ Binomial(b + c, 1/2), in exact fractions, at most 1."""
    n = b + c
    tail = Fraction(sum(math.comb(n, i) for i in range(min(b, c) + 1)), 2 ** n)
    return float(min(Fraction(1), 2 * tail))


@pytest.mark.parametrize(("b", "c", "expected"), [
    (1, 5, 2 * (1 + 6) / 64),      # n = 6: C(6,0) + C(6,1) = 7
    (5, 1, 2 * (1 + 6) / 64),      # symmetric in the two kinds of discordance
    (0, 4, 2 * 1 / 16),
    (2, 8, 2 * (1 + 10 + 45) / 1024),
    (3, 3, 1.0),                   # 2 * P(X <= 3) > 1 for n = 6: capped at 1
    (0, 0, 1.0),                   # no discordant pair: no evidence at all
])
def test_mcnemar_exact_p_of_small_counts(b: int, c: int, expected: float) -> None:
    assert mcnemar_exact_p(b, c) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("b", "c"), [(40, 60), (500, 620), (1000, 1003)])
def test_mcnemar_exact_p_of_large_counts_matches_exact_arithmetic(b: int, c: int) -> None:
    assert mcnemar_exact_p(b, c) == pytest.approx(exact_mcnemar(b, c), rel=1e-9)


def test_mcnemar_exact_p_holds_for_millions_of_pairs() -> None:
    assert mcnemar_exact_p(500_000, 500_000) == 1.0
    # At this size the binomial is normal: 2 * Phi(-(|b - c| - 1) / sqrt(b + c)), continuity-corrected
    normal = math.erfc((3000 - 1) / math.sqrt(1_003_000) / math.sqrt(2))
    assert mcnemar_exact_p(500_000, 503_000) == pytest.approx(normal, rel=0.01)


@pytest.mark.parametrize(("n", "c", "k", "expected"), [
    (5, 2, 1, 2 / 5),                         # pass@1 is c / n
    (5, 2, 2, 1 - math.comb(3, 2) / math.comb(5, 2)),   # 1 - 3/10
    (10, 3, 4, 1 - math.comb(7, 4) / math.comb(10, 4)),  # 1 - 35/210
    (4, 3, 2, 1.0),                           # fewer wrong samples than k: always a right one
    (6, 0, 3, 0.0),
    (6, 6, 6, 1.0),
])
def test_pass_at_k_is_the_unbiased_estimator(n: int, c: int, k: int, expected: float) -> None:
    assert pass_at_k([n], [c], k)[0] == pytest.approx(expected, abs=1e-15)


def test_pass_at_k_of_several_items_and_too_few_samples() -> None:
    values = pass_at_k([5, 5, 2, 5], [2, 0, 1, 2], 3)
    assert values[0] == pytest.approx(1 - math.comb(3, 3) / math.comb(5, 3)) == values[3]
    assert values[1] == 0.0 and math.isnan(values[2])  # 2 samples cannot give pass@3


def test_cluster_robust_se_of_a_tiny_table() -> None:
    values = np.array([1, 0, 1, 1, 0, 0, 1, 0], dtype=float)
    clusters = ["a", "a", "b", "b", "c", "c", "d", "d"]
    # mean 1/2; residuals +-1/2; cluster sums a: 0, b: 1, c: -1, d: 0; G = 4, N = 8
    expected = math.sqrt(4 / 3 * (0 + 1 + 1 + 0) / 8 ** 2)
    assert cluster_robust_se(values, clusters) == pytest.approx(expected, rel=1e-12)
    assert expected > values.std(ddof=1) / math.sqrt(8)  # alike within clusters: wider than naive


def test_cluster_robust_se_with_one_value_per_cluster_is_the_naive_one() -> None:
    values = np.array([0.2, 0.9, 0.4, 0.4, 1.0, 0.0, 0.7])
    naive = values.std(ddof=1) / math.sqrt(len(values))
    assert cluster_robust_se(values, np.arange(len(values))) == pytest.approx(naive, rel=1e-12)


def test_cluster_robust_se_per_group_leaves_out_missing_values() -> None:
    values = np.array([1, 0, np.nan, 1, 1, 0, 1, 0, 1, 1], dtype=float)
    clusters = [0, 0, 0, 1, 1, 2, 2, 3, 3, 3]
    groups = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 2])
    se = cluster_robust_se(values, clusters, groups)
    # group 0: values 1, 0 | 1, 1 in clusters 0 | 1; mean 3/4; sums -1/2, +1/2; G = 2, N = 4
    assert se[0] == pytest.approx(math.sqrt(2 / 1 * (0.25 + 0.25) / 16), rel=1e-12)
    # group 1: values 1, 0 | 0, 1 in clusters 2 | 3; mean 1/2; sums 0, 0
    assert se[1] == 0.0
    assert math.isnan(se[2])  # one cluster: no cluster-robust error


@pytest.mark.parametrize(("df", "expected"), [(1, 12.706), (2, 4.303), (3, 3.182), (10, 2.228), (30, 2.042)])
def test_t_critical_values_from_the_tables(df: int, expected: float) -> None:
    assert round(t_critical(df), 3) == expected


def test_t_critical_approaches_the_normal_and_needs_a_degree_of_freedom() -> None:
    assert 1.95996 < t_critical(5000) < 1.96
    assert math.isnan(t_critical(0))


def synthetic_pairs(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Right/wrong pairs: both right 55%, A only 15%, B only 5%, both wrong 25% (A - B = 0.10)."""
    kind = rng.choice(4, size=n, p=[0.55, 0.15, 0.05, 0.25])
    return np.isin(kind, [0, 1]).astype(float), np.isin(kind, [0, 2]).astype(float)


def test_paired_bootstrap_covers_the_true_difference_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(12345)
    covered = 0
    for trial in range(200):
        a, b = synthetic_pairs(400, rng)
        interval = paired_bootstrap(a, b, resamples=1000, seed=trial)
        covered += interval.overall_low <= 0.10 <= interval.overall_high
    assert 0.90 <= covered / 200 <= 0.99


def test_paired_interval_is_narrower_than_the_unpaired_one_on_the_same_runs() -> None:
    a, b = synthetic_pairs(2000, np.random.default_rng(7))
    paired, unpaired = paired_bootstrap(a, b), unpaired_bootstrap(a, b)
    for interval in (paired, unpaired):
        assert interval.overall_low < 0.10 < interval.overall_high
    # Var(A - B) = 0.20 - 0.10**2 paired; 0.7*0.3 + 0.6*0.4 unpaired: widths in ratio ~0.65
    ratio = (paired.overall_high - paired.overall_low) / (unpaired.overall_high - unpaired.overall_low)
    assert 0.55 < ratio < 0.75
    assert ratio == pytest.approx(math.sqrt((0.20 - 0.01) / (0.21 + 0.24)), abs=0.07)


@pytest.mark.parametrize("values", [
    np.repeat([0.0, 1.0, -1.0], [300, 150, 50]),             # few distinct values: multinomial counts
    np.random.default_rng(3).normal(size=500),               # all distinct: resampled indices
])
def test_bootstrap_spread_is_the_plug_in_standard_error(values: np.ndarray) -> None:
    draws = bootstrap_means(values, resamples=20000, seed=1)[:, 0]
    plug_in = values.std(ddof=0) / math.sqrt(len(values))  # sd of the mean of n draws from the data
    assert draws.mean() == pytest.approx(values.mean(), abs=3 * plug_in / math.sqrt(20000) + 1e-12)
    assert draws.std() == pytest.approx(plug_in, rel=0.03)


def test_bootstrap_is_reproducible_and_blind_to_row_order() -> None:
    a, b = synthetic_pairs(1000, np.random.default_rng(5))
    groups = np.arange(1000) % 3
    order = np.random.default_rng(6).permutation(1000)
    first = paired_bootstrap(a, b, groups, seed=4)
    shuffled = paired_bootstrap(a[order], b[order], groups[order], seed=4)
    assert np.array_equal(first.low, shuffled.low) and np.array_equal(first.high, shuffled.high)
    assert first.overall_low == shuffled.overall_low
    other_seed = bootstrap_means(a - b, groups, seed=5)
    assert not np.array_equal(other_seed, bootstrap_means(a - b, groups, seed=4))


def test_bootstrap_overall_weights_the_groups_by_their_size() -> None:
    draws = bootstrap_means(np.array([1.0] * 3 + [0.0] * 1), np.array([0, 0, 0, 1]), resamples=10)
    assert np.all(draws[:, 0] == 1.0) and np.all(draws[:, 1] == 0.0)
    interval = paired_bootstrap(np.array([1.0, 1, 1, 0]), np.zeros(4), np.array([0, 0, 0, 1]), resamples=10)
    assert interval.overall_low == interval.overall_high == 0.75  # (3 * 1 + 1 * 0) / 4


def test_majority_vote_with_ties_and_abstentions() -> None:
    items = ["p", "p", "p", "q", "q", "r", "r", "s", "s", "s"]
    answers = ["7", "7", "3", "1", "2", None, None, "5", None, None]
    scores = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    votes = majority_vote(items, answers, scores)
    assert votes["p"] == 1.0   # 7 wins 2:1 and is right
    assert votes["q"] == 0.5   # a 1:1 tie between a right and a wrong answer: half the credit
    assert votes["r"] == 0.0   # nobody answered: the samples' mean score
    assert votes["s"] == 0.0   # the only answer wins, abstentions do not vote
