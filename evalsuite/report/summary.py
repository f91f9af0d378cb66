"""Summaries: mean score, 95% confidence interval, n and parse failures, by any columns."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from evalsuite.clrs.splits import TRAIN_LENGTHS
from evalsuite.errors import EvalsuiteError

METRICS = ("exact_flexible", "exact_strict", "elementwise", "parsed", "trace_prefix", "abs_error")
BINARY = {"exact_flexible", "exact_strict", "parsed"}
ALIASES = {"algorithm": "algo_name", "algo": "algo_name"}
Z95 = 1.959963984540054


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


def summarise(data: pd.DataFrame, by: list[str], metric: str = "exact_flexible") -> pd.DataFrame:
    """One row per group: n, mean, ci_low, ci_high (Wilson for right/wrong metrics, normal
    otherwise), parse_failure_rate, and `ood` when the groups have an algorithm and a length."""
    if metric not in data:
        available = ", ".join(m for m in METRICS if m in data) or "none"
        raise EvalsuiteError(f"--metric: no column {metric!r}; scored columns here: {available}")
    columns = resolve_columns(data, by)
    frame = pd.DataFrame({
        "value": pd.to_numeric(data[metric], errors="coerce").astype(float),
        "parsed": data["parsed"].astype(float) if "parsed" in data else np.nan,
    })
    keys = [data[column].astype(object).where(data[column].notna(), None) for column in columns]
    grouped = frame.groupby(keys if keys else np.zeros(len(frame)), dropna=False, sort=True)
    table = grouped["value"].agg(n="count", mean="mean", total="sum", std="std")
    table["parse_failure_rate"] = 1.0 - grouped["parsed"].mean()
    if metric in BINARY:
        table["ci_low"], table["ci_high"] = wilson_interval(table["total"], table["n"])
    else:
        half = Z95 * table["std"] / np.sqrt(table["n"])
        table["ci_low"], table["ci_high"] = table["mean"] - half, table["mean"] + half
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
    return table[ordered + (["ood"] if "ood" in table else [])]
