"""Summaries: mean score, 95% confidence intervals (naive and clustered), n and parse
failures, by any columns."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalsuite.clrs.splits import TRAIN_LENGTHS
from evalsuite.errors import EvalsuiteError
from evalsuite.report.statistics import Z95, cluster_robust_se, t_critical, wilson_interval

METRICS = ("exact_flexible", "exact_strict", "elementwise", "parsed", "trace_prefix", "abs_error")
BINARY = {"exact_flexible", "exact_strict", "parsed"}
ALIASES = {"algorithm": "algo_name", "algo": "algo_name"}
# CLRS-Text items of one algorithm and length share their generator and difficulty.
DEFAULT_CLUSTER = ("algo_name", "length")


def resolve_columns(data: pd.DataFrame, by: list[str]) -> list[str]:
    columns = [ALIASES.get(column, column) for column in by]
    missing = [column for column in columns if column not in data]
    if missing:
        raise EvalsuiteError(
            f"--by: no column {', '.join(missing)}; available: {', '.join(sorted(map(str, data.columns)))}"
        )
    return columns


def in_distribution(algo_name: str, length) -> bool | None:
    """Whether a length is within the paper's train lengths of that algorithm (None: unknown)."""
    lengths = TRAIN_LENGTHS.get(algo_name)
    if lengths is None or length is None or (isinstance(length, float) and math.isnan(length)):
        return None
    return int(length) <= lengths[-1]


def cluster_columns(data: pd.DataFrame, cluster: str | Sequence[str] | None) -> list[str]:
    """The columns whose values name a sample's cluster: those given, or by default
    (algorithm, length) where the data has both (else none: no clustered errors)."""
    if cluster is None:
        return list(DEFAULT_CLUSTER) if all(column in data for column in DEFAULT_CLUSTER) else []
    names = [cluster] if isinstance(cluster, str) else list(cluster)
    columns = [ALIASES.get(column, column) for column in names]
    missing = [name for name, column in zip(names, columns) if column not in data]
    if missing:
        raise EvalsuiteError(
            f"cluster: no column {', '.join(missing)}; available: {', '.join(sorted(map(str, data.columns)))}"
        )
    return columns


def summarise(data: pd.DataFrame, by: list[str], metric: str = "exact_flexible",
              cluster: str | Sequence[str] | None = None) -> pd.DataFrame:
    """One row per group: n, mean, ci_low, ci_high (Wilson for right/wrong metrics, normal
    otherwise), parse_failure_rate, and `ood` when the groups have an algorithm and a length.

    Then the same mean's errors with samples clustered (by default by algorithm and length,
    or by the `cluster` columns): `se` (naive, s / sqrt(n)), `clusters` (how many the group
    spans), `cluster_se` (cluster-robust, CR1: see statistics.cluster_robust_se) and the 95%
    interval mean ± t cluster_se, t the 97.5% quantile of Student's t with G - 1 degrees of
    freedom for G clusters (`cluster_ci_low`, `cluster_ci_high`, clipped to [0, 1] for
    right/wrong metrics; NaN for a group within one cluster). Samples of one cluster are not
    independent, so a headline mean over many cells needs the clustered interval.
    """
    if metric not in data:
        available = ", ".join(m for m in METRICS if m in data) or "none"
        raise EvalsuiteError(f"--metric: no column {metric!r}; scored columns here: {available}")
    columns = resolve_columns(data, by)
    clusters = cluster_columns(data, cluster)
    frame = pd.DataFrame({
        "value": pd.to_numeric(data[metric], errors="coerce").astype(float),
        "parsed": data["parsed"].astype(float) if "parsed" in data else np.nan,
        "cluster": data.groupby(clusters, dropna=False, sort=False).ngroup() if clusters else np.arange(len(data)),
    })
    keys = [data[column].astype(object).where(data[column].notna(), None) for column in columns]
    grouped = frame.groupby(keys if keys else np.zeros(len(frame)), dropna=False, sort=True)
    table = grouped["value"].agg(n="count", mean="mean", total="sum", std="std")
    table["parse_failure_rate"] = 1.0 - grouped["parsed"].mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        table["se"] = table["std"] / np.sqrt(table["n"])
    if metric in BINARY:
        table["ci_low"], table["ci_high"] = wilson_interval(table["total"], table["n"])
    else:
        table["ci_low"], table["ci_high"] = table["mean"] - Z95 * table["se"], table["mean"] + Z95 * table["se"]
    _add_clustered_errors(table, frame, grouped.ngroup().to_numpy(), metric in BINARY, bool(clusters))
    table = table.reset_index()
    if not columns:
        table = table.drop(columns=table.columns[0])
    else:
        table.columns = [*columns, *table.columns[len(columns):]]
    if "algo_name" in columns and "length" in columns:
        table["ood"] = [
            None if (inside := in_distribution(algo, length)) is None else not inside
            for algo, length in zip(table["algo_name"], table["length"])
        ]
    ordered = [*columns, "n", "mean", "ci_low", "ci_high", "parse_failure_rate"]
    clustered = ["se", "clusters", "cluster_se", "cluster_ci_low", "cluster_ci_high"]
    return table[ordered + (["ood"] if "ood" in table else []) + clustered]


def _add_clustered_errors(table: pd.DataFrame, frame: pd.DataFrame, groups: np.ndarray,
                          binary: bool, clustered: bool) -> None:
    """Add clusters, cluster_se, cluster_ci_low, cluster_ci_high (the latter NaN and
    clusters 0 when there is nothing to cluster by)."""
    table["clusters"], table["cluster_se"] = 0, np.nan
    if clustered and len(frame):
        values, cluster = frame["value"].to_numpy(), frame["cluster"].to_numpy()
        scored = ~np.isnan(values)
        width = int(cluster.max()) + 1
        cells = np.unique(groups[scored] * width + cluster[scored])
        table["clusters"] = np.bincount(cells // width, minlength=len(table))
        table["cluster_se"] = cluster_robust_se(values, cluster, groups)
    critical = np.array([t_critical(int(g) - 1) for g in table["clusters"]])  # t, G - 1 degrees of freedom
    low, high = table["mean"] - critical * table["cluster_se"], table["mean"] + critical * table["cluster_se"]
    table["cluster_ci_low"], table["cluster_ci_high"] = (low.clip(0, 1), high.clip(0, 1)) if binary else (low, high)
