"""Two runs item by item: paired differences with bootstrap intervals and McNemar's test.

Comparing two models by their separate confidence intervals ignores that they answered the
same questions; the paired difference of each item's scores is far more sensitive. Samples
pair on their item and on the configuration columns the two runs share (the same styles,
shots, modes and layouts in both); the columns that differ (typically the model) are what is
compared, and each run must hold one value of them. Repeated samples of an item (run
--samples-per-item) are averaged into the item's score first: the item is the unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from evalsuite.errors import EvalsuiteError
from evalsuite.report.load import CONFIG_COLUMNS, load_results, row_codes
from evalsuite.report.statistics import mcnemar_exact_p, paired_bootstrap
from evalsuite.report.summary import BINARY, METRICS, resolve_columns
from evalsuite.report.tables import format_shown

Runs = pd.DataFrame | str | Path | Sequence[str | Path]
COLUMNS = ("n_pairs", "mean_a", "mean_b", "difference", "ci_low", "ci_high", "mcnemar_p",
           "a_right_b_wrong", "a_wrong_b_right", "only_in_a", "only_in_b")
OVERALL = "all"


def compare(a: Runs, b: Runs, by: Sequence[str] = ("algorithm", "length"), metric: str = "exact_flexible",
            resamples: int = 1000, seed: int = 0, confidence: float = 0.95) -> pd.DataFrame:
    """Run A against run B per `by` group and overall (the last row, its groups "all").

    Columns: n_pairs; mean_a and mean_b over the paired items; difference (mean_a - mean_b)
    with its paired-bootstrap percentile interval ci_low, ci_high (`resamples` draws from
    `seed`; the overall row combines the groups' draws weighted by their sizes); for
    right/wrong metrics with one sample per item, the discordant counts a_right_b_wrong and
    a_wrong_b_right and the exact McNemar p-value (pooled over the groups in the overall
    row), else NaN; only_in_a and only_in_b, the items of one run only, left out of the rest.
    `a` and `b` are DataFrames of load_results, or run directories / scored files (a list:
    shards of one run). Items are named by their item_id, or by their question in scored files
    without ids. `attrs` holds `paired_on` and the configurations `a` and `b`.
    """
    first, second = _frame(a), _frame(b)
    for name, frame in (("A", first), ("B", second)):
        _check_columns(frame, name, metric)
    item = _item_column(first, second)
    columns = resolve_columns(first, list(by))
    resolve_columns(second, list(by))
    shared, differing = _pairing(first, second, columns)
    keys = [item, *shared]
    items = item_scores(first, second, list(dict.fromkeys([*keys, *columns])), columns, metric)
    binary = metric in BINARY and all(_right_or_wrong(items[side].dropna()) for side in ("value_a", "value_b"))
    table = _table(items, columns, binary, resamples, seed, confidence)
    table.attrs.update(paired_on=keys, metric=metric, confidence=confidence,
                       a=_configuration(first, differing), b=_configuration(second, differing))
    return table


def _frame(runs: Runs) -> pd.DataFrame:
    if isinstance(runs, pd.DataFrame):
        return runs
    return load_results([runs] if isinstance(runs, (str, Path)) else list(runs))


def _check_columns(frame: pd.DataFrame, name: str, metric: str) -> None:
    if metric not in frame:
        available = ", ".join(m for m in METRICS if m in frame) or "none"
        raise EvalsuiteError(f"--metric: run {name} has no column {metric!r}; scored columns there: {available}")


def _item_column(first: pd.DataFrame, second: pd.DataFrame) -> str:
    """What names an item: its id, or in scored files without ids its question text."""
    for column in ("item_id", "question"):
        if column in first and column in second:
            return column
    raise EvalsuiteError("compare needs item ids (run directories) or questions (scored files) in both runs")


def _pairing(first: pd.DataFrame, second: pd.DataFrame, by: list[str]) -> tuple[list[str], list[str]]:
    """The configuration columns to pair on (same values in both runs) and those compared."""
    shared, differing = [], []
    for column in (c for c in CONFIG_COLUMNS if c in first and c in second):
        values_a, values_b = _values(first[column]), _values(second[column])
        (shared if values_a == values_b else differing).append(column)
    for name, frame in (("A", first), ("B", second)):
        for column in differing:
            if len(_values(frame[column])) > 1:
                raise EvalsuiteError(
                    f"run {name} holds several {column} values ({', '.join(sorted(_values(frame[column])))}) "
                    f"and the other run other ones: compare pairs one configuration with another"
                )
    if clash := [column for column in by if column in differing]:
        raise EvalsuiteError(f"--by {', '.join(clash)}: the runs differ in it, so it cannot group pairs")
    return shared, differing


def _values(column: pd.Series) -> set[str]:
    return set(column.astype(str).unique())


def _configuration(frame: pd.DataFrame, differing: list[str]) -> str:
    return " ".join(f"{column}={frame[column].iloc[0]}" for column in differing) if len(frame) else ""


def item_scores(first: pd.DataFrame, second: pd.DataFrame, keys: list[str], by: list[str],
                metric: str) -> pd.DataFrame:
    """One row per item (a distinct value of `keys`) scored in either run: its `by` columns
    and value_a, value_b, its score in each run averaged over its samples (NaN: not there)."""
    both = pd.concat([first[keys], second[keys]], ignore_index=True)
    codes = row_codes(both, keys)
    count = int(codes.max()) + 1 if len(codes) else 0
    first_row = np.empty(count, dtype=np.int64)
    first_row[codes[::-1]] = np.arange(len(codes))[::-1]  # where each item appears first
    items = both.iloc[first_row][by].reset_index(drop=True)
    for side, frame, part in (("value_a", first, codes[:len(first)]), ("value_b", second, codes[len(first):])):
        scores = pd.to_numeric(frame[metric], errors="coerce").to_numpy(dtype=float)
        scored = ~np.isnan(scores)
        samples = np.bincount(part[scored], minlength=count)
        with np.errstate(invalid="ignore", divide="ignore"):
            items[side] = np.bincount(part[scored], scores[scored], minlength=count) / samples
    return items[items["value_a"].notna() | items["value_b"].notna()].reset_index(drop=True)


def _right_or_wrong(values: pd.Series) -> bool:
    return bool(((values == 0) | (values == 1)).all())


def _table(items: pd.DataFrame, by: list[str], binary: bool,
           resamples: int, seed: int, confidence: float) -> pd.DataFrame:
    only_a, only_b = items["value_b"].isna(), items["value_a"].isna()
    paired = items[~only_a & ~only_b]
    value_a, value_b = paired["value_a"].to_numpy(), paired["value_b"].to_numpy()
    frame = pd.DataFrame({"a": value_a, "b": value_b,
                          "a_only": (value_a > value_b) & binary, "b_only": (value_a < value_b) & binary})
    groups = paired[by].reset_index(drop=True) if by else pd.DataFrame(index=frame.index)
    rows = _grouped(frame, groups, by)
    if len(frame):
        codes = groups.groupby(by, dropna=False, sort=True).ngroup().to_numpy() if by else None
        interval = paired_bootstrap(value_a, value_b, codes, resamples, seed, confidence)
        rows["ci_low"], rows["ci_high"] = interval.low, interval.high
        overall_interval = (interval.overall_low, interval.overall_high)
    else:
        rows["ci_low"] = rows["ci_high"] = np.nan
        overall_interval = (math.nan, math.nan)
    table = _overall(frame, overall_interval).assign(only_in_a=int(only_a.sum()), only_in_b=int(only_b.sum()))
    if by:
        counts = items[by].assign(only_in_a=only_a, only_in_b=only_b)
        per_group = counts.groupby(by, dropna=False, sort=True)[["only_in_a", "only_in_b"]].sum().reset_index()
        rows = rows.merge(per_group, on=by, how="outer", sort=True)  # groups with no pair get a row too
        rows[by] = rows[by].astype(object)
        table = pd.concat([rows, table.assign(**dict.fromkeys(by, OVERALL))], ignore_index=True)
    table = table.fillna({"n_pairs": 0, "only_in_a": 0, "only_in_b": 0})
    for column in ("n_pairs", "only_in_a", "only_in_b"):
        table[column] = table[column].astype(int)
    if not binary:
        table[["a_right_b_wrong", "a_wrong_b_right", "mcnemar_p"]] = np.nan
    return table[[*by, *COLUMNS]]


def _grouped(frame: pd.DataFrame, groups: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    if not by:
        return pd.DataFrame()
    grouped = frame.groupby([groups[column] for column in by], dropna=False, sort=True)
    rows = grouped.agg(n_pairs=("a", "size"), mean_a=("a", "mean"), mean_b=("b", "mean"),
                       a_right_b_wrong=("a_only", "sum"), a_wrong_b_right=("b_only", "sum")).reset_index()
    rows["difference"] = rows["mean_a"] - rows["mean_b"]
    rows["mcnemar_p"] = [mcnemar_exact_p(x, y) for x, y in zip(rows["a_right_b_wrong"], rows["a_wrong_b_right"])]
    return rows


def _overall(frame: pd.DataFrame, interval: tuple[float, float]) -> pd.DataFrame:
    a_only, b_only = int(frame["a_only"].sum()), int(frame["b_only"].sum())
    mean_a, mean_b = (frame["a"].mean(), frame["b"].mean()) if len(frame) else (math.nan, math.nan)
    return pd.DataFrame([{
        "n_pairs": len(frame), "mean_a": mean_a, "mean_b": mean_b, "difference": mean_a - mean_b,
        "ci_low": interval[0], "ci_high": interval[1], "mcnemar_p": mcnemar_exact_p(a_only, b_only),
        "a_right_b_wrong": a_only, "a_wrong_b_right": b_only,
    }])


def _signed(value: float) -> str:
    return "" if math.isnan(value) else f"{value:+.3f}"


def _p_value(p: float) -> str:
    return "" if math.isnan(p) else ("<0.0001" if p < 1e-4 else f"{p:.4f}")


def display_comparison(table: pd.DataFrame) -> pd.DataFrame:
    """Readable cells: means, `difference [low, high]`, the p-value, counts."""
    by = [column for column in table.columns if column not in COLUMNS]
    shown = table[by].astype(object).where(table[by].notna(), "").copy()
    shown["pairs"] = table["n_pairs"]
    shown["A"] = [f"{x:.3f}" if not math.isnan(x) else "" for x in table["mean_a"]]
    shown["B"] = [f"{x:.3f}" if not math.isnan(x) else "" for x in table["mean_b"]]
    shown[f"A − B [{table.attrs.get('confidence', 0.95):.0%} CI]"] = [
        f"{_signed(d)} [{_signed(low)}, {_signed(high)}]" if not math.isnan(d) else ""
        for d, low, high in zip(table["difference"], table["ci_low"], table["ci_high"])
    ]
    shown["McNemar p"] = [_p_value(p) for p in table["mcnemar_p"]]
    for column, title in (("a_right_b_wrong", "A right, B wrong"), ("a_wrong_b_right", "A wrong, B right")):
        shown[title] = ["" if math.isnan(x) else str(int(x)) for x in table[column].astype(float)]
    shown["only in A"], shown["only in B"] = table["only_in_a"], table["only_in_b"]
    return shown


def format_comparison(table: pd.DataFrame, fmt: str) -> str:
    """The comparison as text: csv with every number, or markdown, LaTeX, HTML to read."""
    if fmt == "csv":
        return table.to_csv(index=False)
    return format_shown(display_comparison(table), fmt)
