"""The overview page's data: the report's summary table and the series of its plots, both
from `summarise` and `run_labels` (the same statistics `evalsuite report` prints), plus the
runs' manifests and the over-squashing study's tables.

The plots follow `draw_report_plots`: CLRS-Text scores against length, one panel per
algorithm (bars per algorithm when there is one length); for copying and counting, score
and absolute error against length by variant and the histogram of predicted counts.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from evalsuite.clrs.splits import TRAIN_LENGTHS
from evalsuite.errors import EvalsuiteError
from evalsuite.report.load import CONFIG_COLUMNS
from evalsuite.report.summary import METRICS, resolve_columns, summarise
from evalsuite.report.tables import run_labels
from evalsuite.view.runs import RunSet

GROUPABLE = ("algo_name", "length", "task", "variant", "style", "shots", "mode", "layout")
SQUASH_TASKS = ("copy", "count")


def available_metrics(frame: pd.DataFrame) -> list[str]:
    return [metric for metric in METRICS if metric in frame and frame[metric].notna().any()]


def groupable_columns(frame: pd.DataFrame) -> list[str]:
    """The columns worth grouping by: those with more than one value."""
    return [column for column in GROUPABLE if column in frame and frame[column].nunique() > 1]


def default_grouping(frame: pd.DataFrame) -> list[str]:
    """Algorithm × length for CLRS-Text, task × variant × length for the over-squashing runs."""
    present = [column for column in GROUPABLE if column in frame and frame[column].notna().any()]
    wanted = ("algo_name", "length") if "algo_name" in present else ("task", "variant", "length")
    return [column for column in wanted if column in present]


def labelled(frame: pd.DataFrame, shown: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, dict]]:
    """The frame with `run` labels from `run_labels`, computed once per distinct
    configuration (which gives the same labels as over every row, much faster); and for
    each label, the configuration values its rows share (for links to their samples)."""
    combined = np.zeros(len(frame), np.int64)
    for column in CONFIG_COLUMNS:
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + codes
    configuration, _ = pd.factorize(combined)
    first = frame.iloc[np.unique(configuration, return_index=True)[1]]
    labels = run_labels(first, shown)
    label_codes, names = pd.factorize(labels)  # in order of appearance
    shared: dict[str, dict] = {}
    for label, rows in first.astype({c: object for c in CONFIG_COLUMNS}).groupby(labels.to_numpy(), sort=False):
        shared[str(label)] = {c: _plain(rows[c].iloc[0]) for c in CONFIG_COLUMNS
                              if rows[c].notna().all() and rows[c].nunique() == 1}
    return frame.assign(run=pd.Categorical.from_codes(label_codes[configuration], categories=names)), shared


def run_order(data: pd.DataFrame) -> list[str]:
    """The runs of labelled rows in order of first appearance (as comparison_table orders them)."""
    present = set(np.unique(data["run"].cat.codes))
    return [name for code, name in enumerate(data["run"].cat.categories) if code in present]


def _records(table: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: NaN as None, numpy scalars as Python numbers."""
    rows = []
    for row in table.to_dict(orient="records"):
        rows.append({key: _plain(value) for key, value in row.items()})
    return rows


def _plain(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return str(value)


class Summaries:
    """`summarise` results for one table, each computed once (kept in the run set's memo,
    which is emptied when the table changes)."""

    def __init__(self, frame: pd.DataFrame, memo: dict) -> None:
        self.frame, self.memo = frame, memo
        present = frame["task"].dropna().unique() if "task" in frame else []
        self.tasks = {str(task) for task in present}

    def get(self, subset: str, groups: list[str], shown: tuple[str, ...], metric: str) -> tuple[pd.DataFrame, list[str], dict]:
        """summarise(labelled rows of `subset`, groups + run, metric), the runs in order and
        their configurations."""
        if subset == "clrs" and not self.tasks & set(SQUASH_TASKS):
            subset = "all"  # the same rows: the same summaries
        key = ("summary", subset, frozenset(groups), frozenset(shown) & set(CONFIG_COLUMNS), metric)
        if key not in self.memo:
            data, configurations = labelled(self.rows(subset), shown)
            self.memo[key] = (summarise(data, [*groups, "run"], metric), run_order(data), configurations)
        return self.memo[key]

    def rows(self, subset: str) -> pd.DataFrame:
        """All rows, the CLRS-Text ones (not copy or count), or one task's."""
        if subset == "all" or (subset == "clrs" and not self.tasks & set(SQUASH_TASKS)):
            return self.frame
        key = ("rows", subset)
        if key not in self.memo:
            task = self.frame["task"]
            self.memo[key] = self.frame[~task.isin(SQUASH_TASKS)] if subset == "clrs" else self.frame[task == subset]
        return self.memo[key]


def overview(runs: RunSet, metric: str | None, by: list[str] | None) -> dict:
    """The overview of the runs for `metric` grouped by `by` (defaults: exact_flexible, and
    algorithm × length or task × variant × length); each answer is computed once."""
    with runs.lock:  # one at a time: the memo belongs to the current table
        table = runs.table()
        key = ("overview", metric, None if by is None else tuple(by))
        if key not in runs.memo:
            runs.memo[key] = _overview(runs, table.frame(), metric, by)
        return {**runs.memo[key], "manifests": runs.manifests(), "studies": runs.studies()}


def warm(runs: RunSet) -> None:
    """Compute the overview of every metric now, so that choosing one on the page is quick
    (a problem is left for the page to report when it asks)."""
    try:
        for metric in overview(runs, None, None)["metrics"]:
            overview(runs, metric, None)
    except EvalsuiteError:
        pass


def _overview(runs: RunSet, frame: pd.DataFrame, metric: str | None, by: list[str] | None) -> dict:
    metrics = available_metrics(frame)
    base = {"runs": runs.names, "metrics": metrics, "groupable": groupable_columns(frame)}
    if not len(frame):
        return {**base, "metric": metric, "by": by or [], "table": None, "plots": []}
    metric = metric or ("exact_flexible" if "exact_flexible" in metrics else (metrics or ["exact_flexible"])[0])
    if metric not in metrics:
        raise EvalsuiteError(f"metric: no sample has {metric!r}; scored here: {', '.join(metrics) or 'none'}")
    by = resolve_columns(frame, by) if by is not None else default_grouping(frame)
    summaries = Summaries(frame, runs.memo)
    rows, order, configurations = summaries.get("all", by, tuple(by), metric)
    return {**base, "metric": metric, "by": by,
            "table": {"rows": _records(rows), "runs": order, "configurations": configurations},
            "plots": plots(summaries, metric)}


def plots(summaries: Summaries, metric: str) -> list[dict]:
    """What to draw, as series of summary rows (see the module docstring)."""
    drawn, tasks = [], summaries.tasks
    clrs = summaries.rows("clrs")
    if len(clrs) and clrs["algo_name"].notna().any():
        if clrs["length"].nunique() <= 1:
            rows, order, _ = summaries.get("clrs", ["algo_name"], ("algo_name",), metric)
            drawn.append({"kind": "bars", "title": f"{metric} by algorithm", "metric": metric, "panel": "algo_name",
                          "rows": _records(rows), "runs": order})
        else:
            rows, order, _ = summaries.get("clrs", ["algo_name", "length"], ("algo_name",), metric)
            train = {name: TRAIN_LENGTHS[name][-1] for name in rows["algo_name"].unique() if name in TRAIN_LENGTHS}
            drawn.append({"kind": "lines", "title": f"{metric} against length", "metric": metric, "panel": "algo_name",
                          "rows": _records(rows), "runs": order, "train": train})
    for task, task_metric in (("copy", metric), ("count", "abs_error")):
        if task not in tasks or summaries.rows(task)[task_metric].isna().all():
            continue
        rows, order, _ = summaries.get(task, ["variant", "length"], ("variant",), task_metric)
        drawn.append({"kind": "lines", "title": f"{task}: {task_metric} against length", "metric": task_metric,
                      "panel": "variant", "rows": _records(rows), "runs": order, "train": {}})
        if task == "count":
            drawn.append(_histogram(summaries))
    return drawn


def _histogram(summaries: Summaries) -> dict:
    """Counts of each predicted count, by variant and run."""
    data = labelled(summaries.rows("count"), ("variant",))[0].dropna(subset=["predicted"])
    counts = data.groupby([data["variant"].astype(object), data["run"].astype(object), "predicted"],
                          observed=True).size().rename("samples").reset_index()
    return {"kind": "histogram", "title": "count: predicted counts", "panel": "variant",
            "rows": _records(counts), "runs": run_order(data)}
