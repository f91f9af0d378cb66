"""Repeated samples (run --samples-per-item K): mean over samples, majority vote, pass@k."""

from __future__ import annotations

import pandas as pd

from evalsuite.errors import EvalsuiteError
from evalsuite.report.load import CONFIG_COLUMNS, row_codes
from evalsuite.report.statistics import majority_vote, pass_at_k
from evalsuite.report.summary import BINARY, METRICS, resolve_columns
from evalsuite.report.tables import format_shown, run_labels
from evalsuite.scoring.extract import normalise

# The answer each metric judges: the samples vote on it.
ANSWER_COLUMNS = {"exact_strict": "strict_answer"}
DEFAULT_ANSWER = "flexible_answer"


def repeated_samples_table(data: pd.DataFrame, by: list[str], metric: str = "exact_flexible",
                           ks: list[int] | None = None) -> pd.DataFrame:
    """One row per `by` group and run: `items`; `samples_per_item` (the most any item has);
    `mean` over all samples; `majority_vote`, the mean over items of the score of each
    item's most frequent answer (the flexible answer, or the strict one for exact_strict,
    whitespace normalised; ties share the credit, empty answers do not vote; see
    statistics.majority_vote; without answer columns the scores vote); and for right/wrong metrics
    `pass@k` for each k in `ks` (default 1..K), the unbiased estimator averaged over the
    items that have at least k samples.

    An item is an item id under one configuration; its samples are the rows that share them.
    """
    if metric not in data:
        available = ", ".join(m for m in METRICS if m in data) or "none"
        raise EvalsuiteError(f"--metric: no column {metric!r}; scored columns here: {available}")
    if "item_id" not in data:
        raise EvalsuiteError("repeated samples need item ids (run directories or files with item_id)")
    columns = resolve_columns(data, by)
    scores = pd.to_numeric(data[metric], errors="coerce").astype(float)
    samples = data.loc[scores.notna()].assign(score=scores[scores.notna()])
    samples["run"] = run_labels(samples, tuple(columns))
    samples["item"] = row_codes(samples, ["item_id", *CONFIG_COLUMNS])
    items = _items(samples, columns, metric)
    largest = int(items["samples"].max()) if len(items) else 0
    wanted = list(range(1, largest + 1)) if ks is None else [k for k in ks if k >= 1]
    if metric in BINARY:
        for k in wanted:
            items[f"pass@{k}"] = pass_at_k(items["samples"], items["right"], k)
    keys = [items[column].astype(object).where(items[column].notna(), None) for column in [*columns, "run"]]
    grouped = items.groupby(keys, dropna=False, sort=True)
    table = grouped.agg(items=("item", "size"), samples_per_item=("samples", "max"))
    table["mean"] = grouped["total"].sum() / grouped["samples"].sum()
    table["majority_vote"] = grouped["vote"].mean()
    for k in wanted if metric in BINARY else ():
        table[f"pass@{k}"] = grouped[f"pass@{k}"].mean()  # NaN (items with < k samples) skipped
    return table.reset_index()


def _items(samples: pd.DataFrame, columns: list[str], metric: str) -> pd.DataFrame:
    """One row per item: its group, how many samples, their total score, how many right, its vote."""
    answer = ANSWER_COLUMNS.get(metric, DEFAULT_ANSWER)
    if answer in samples:  # an empty answer (nothing read) does not vote
        votes = samples[answer].map(normalise, na_action="ignore").replace("", None)
    else:
        votes = samples["score"]
    grouped = samples.groupby("item", sort=True)
    items = grouped[[*columns, "run"]].first()
    items["samples"] = grouped["score"].size()
    items["total"] = grouped["score"].sum()
    items["right"] = grouped["score"].sum().round().astype(int) if metric in BINARY else 0
    items["vote"] = majority_vote(samples["item"], votes, samples["score"])
    return items.reset_index()


def has_repeated_samples(data: pd.DataFrame) -> bool:
    """Whether any item was sampled more than once (run --samples-per-item K > 1)."""
    return "sample_index" in data and bool((pd.to_numeric(data["sample_index"], errors="coerce") > 0).any())


def format_repeated(table: pd.DataFrame, fmt: str) -> str:
    """The table as text: csv with every number, or markdown, LaTeX, HTML with 3 decimals."""
    if fmt == "csv":
        return table.to_csv(index=False)
    shown = table.astype(object).copy()
    for column in table.columns:
        if column == "mean" or column == "majority_vote" or column.startswith("pass@"):
            shown[column] = [f"{value:.3f}" if pd.notna(value) else "" for value in table[column]]
    return format_shown(shown.where(table.notna(), ""), fmt)
