"""Report tables: several runs side by side, as markdown, csv, LaTeX or HTML."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from evalsuite.errors import EvalsuiteError
from evalsuite.report.load import CONFIG_COLUMNS
from evalsuite.report.summary import resolve_columns, summarise

FORMATS = ("markdown", "csv", "latex", "html")


def run_labels(data: pd.DataFrame, shown_elsewhere: tuple[str, ...] = ()) -> pd.Series:
    """A label per row naming its configuration: the model, plus whichever of style, shots,
    mode and layout differ between the rows (and are not already rows of the table)."""
    varying = [
        c for c in CONFIG_COLUMNS
        if c != "model" and c not in shown_elsewhere and data[c].astype(str).nunique() > 1
    ]
    labels = data["model"].astype(str)
    for column in varying:
        labels = labels + f" {column}=" + data[column].astype(str)
    return labels


STATS = ("mean", "ci_low", "ci_high", "n")
CLUSTER_STATS = ("cluster_se", "cluster_ci_low", "cluster_ci_high", "clusters")
SUMMARY_ONLY = ("parse_failure_rate", "se")


def comparison_table(data: pd.DataFrame, by: list[str], metric: str,
                     cluster: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Rows: the `by` groups (and whether they are out of the training distribution);
    for each run, the columns `RUN|mean`, `RUN|ci_low`, `RUN|ci_high` and `RUN|n`, then
    the clustered errors `RUN|cluster_se`, `RUN|cluster_ci_low`, `RUN|cluster_ci_high` and
    `RUN|clusters` (see `summarise`; NaN where a group lies within one cluster)."""
    labelled = data.assign(run=run_labels(data, tuple(resolve_columns(data, by))))
    summary = summarise(labelled, [*by, "run"], metric, cluster)
    stats = (*STATS, *CLUSTER_STATS)
    keys = [column for column in summary.columns if column not in ("run", *SUMMARY_ONLY, *stats)]
    if not keys:
        summary["groups"], keys = "all", ["groups"]
    summary[keys] = summary[keys].astype(object).where(summary[keys].notna(), "")
    wide = summary.pivot(index=keys, columns="run", values=list(stats))
    runs = list(dict.fromkeys(labelled["run"]))
    wide.columns = [f"{run}|{stat}" for stat, run in wide.columns]
    return wide[[f"{run}|{stat}" for run in runs for stat in stats]].reset_index()


def _cell(mean: float, low: float, high: float, n: float,
          cluster_low: float = math.nan, cluster_high: float = math.nan, clusters: float = 0) -> str:
    if n != n or not n:  # NaN or 0: this run has no sample in the group
        return "–"
    text = f"{mean:.3f} (n={int(n)})" if math.isnan(low) else f"{mean:.3f} [{low:.3f}, {high:.3f}] (n={int(n)})"
    if not math.isnan(cluster_low):
        text += f"; clustered [{cluster_low:.3f}, {cluster_high:.3f}] ({int(clusters)} clusters)"
    return text


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """One readable cell per run: `mean [ci_low, ci_high] (n=…)`, followed by the clustered
    interval `; clustered [low, high] (G clusters)` where the group spans several clusters."""
    runs = list(dict.fromkeys(column.split("|")[0] for column in table.columns if "|" in column))
    keys = [column for column in table.columns if "|" not in column]
    shown = table[keys].copy()
    shown_stats = ("mean", "ci_low", "ci_high", "n", "cluster_ci_low", "cluster_ci_high", "clusters")
    for run in runs:
        present = [stat for stat in shown_stats if f"{run}|{stat}" in table]
        shown[run] = [_cell(*values) for values in zip(*(table[f"{run}|{stat}"] for stat in present))]
    return shown


def markdown(table: pd.DataFrame) -> str:
    header = [str(column) for column in table.columns]
    rows = [[_plain(value) for value in row] for row in table.itertuples(index=False)]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _plain(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def format_table(table: pd.DataFrame, fmt: str) -> str:
    """The comparison table as text in one of FORMATS (csv: every number; the others: one
    readable cell per run)."""
    if fmt == "csv":
        return table.to_csv(index=False)
    return format_shown(display_table(table), fmt)


def format_shown(shown: pd.DataFrame, fmt: str) -> str:
    """A table of display cells as text in one of FORMATS."""
    if fmt == "csv":
        return shown.to_csv(index=False)
    if fmt == "markdown":
        return markdown(shown)
    if fmt == "latex":
        return shown.to_latex(index=False)
    if fmt == "html":
        return shown.to_html(index=False)
    raise EvalsuiteError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
