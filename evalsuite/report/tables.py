"""Report tables: several runs side by side, as markdown, csv, LaTeX or HTML."""

from __future__ import annotations

import math

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


def comparison_table(data: pd.DataFrame, by: list[str], metric: str) -> pd.DataFrame:
    """Rows: the `by` groups (and whether they are out of the training distribution);
    for each run, the columns `RUN|mean`, `RUN|ci_low`, `RUN|ci_high` and `RUN|n`."""
    labelled = data.assign(run=run_labels(data, tuple(resolve_columns(data, by))))
    summary = summarise(labelled, [*by, "run"], metric)
    keys = [column for column in summary.columns if column not in ("run", "parse_failure_rate", *STATS)]
    if not keys:
        summary["groups"], keys = "all", ["groups"]
    summary[keys] = summary[keys].astype(object).where(summary[keys].notna(), "")
    wide = summary.pivot(index=keys, columns="run", values=list(STATS))
    runs = list(dict.fromkeys(labelled["run"]))
    wide.columns = [f"{run}|{stat}" for stat, run in wide.columns]
    return wide[[f"{run}|{stat}" for run in runs for stat in STATS]].reset_index()


def _cell(mean: float, low: float, high: float, n: float) -> str:
    if n != n or not n:  # NaN or 0: this run has no sample in the group
        return "–"
    if math.isnan(low):
        return f"{mean:.3f} (n={int(n)})"
    return f"{mean:.3f} [{low:.3f}, {high:.3f}] (n={int(n)})"


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """One readable cell per run: `mean [ci_low, ci_high] (n=…)`."""
    runs = list(dict.fromkeys(column.split("|")[0] for column in table.columns if "|" in column))
    keys = [column for column in table.columns if "|" not in column]
    shown = table[keys].copy()
    for run in runs:
        shown[run] = [
            _cell(*values)
            for values in zip(*(table[f"{run}|{stat}"] for stat in ("mean", "ci_low", "ci_high", "n")))
        ]
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
    """The comparison table as text in one of FORMATS."""
    if fmt == "csv":
        return table.to_csv(index=False)
    shown = display_table(table)
    if fmt == "markdown":
        return markdown(shown)
    if fmt == "latex":
        return shown.to_latex(index=False)
    if fmt == "html":
        return shown.to_html(index=False)
    raise EvalsuiteError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
