"""Plots: score against length, one small panel per algorithm, one line per run."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from evalsuite.clrs.splits import TRAIN_LENGTHS
from evalsuite.datafiles import atomic_path
from evalsuite.errors import EvalsuiteError
from evalsuite.report.summary import summarise
from evalsuite.report.tables import run_labels

PLOTS_NEED_MATPLOTLIB = "plots need matplotlib: pip install 'evalsuite[plot]'"


class PlotsUnavailable(EvalsuiteError):
    """matplotlib is not installed: what needs no plot can still be done and written."""


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend; one clear error without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        raise PlotsUnavailable(PLOTS_NEED_MATPLOTLIB) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _mark_train_length(axis, largest: int, lengths: pd.Series) -> None:
    """A dashed line at the largest training length, or a note when it lies past the data."""
    if lengths.min() <= largest <= lengths.max():
        axis.axvline(largest, color="grey", linestyle="--", linewidth=1)
    else:
        axis.text(0.98, 0.04, f"train ≤ {largest}", transform=axis.transAxes, ha="right", fontsize=7, color="grey")


def plot_by_length(data: pd.DataFrame, metric: str, path: str | Path, panel: str = "algo_name") -> None:
    """Write a PNG: `metric` against length, one panel per value of `panel` (an algorithm by
    default), one line per run, 95% intervals shaded, the paper's largest training length
    marked for CLRS algorithms."""
    if "length" not in data or data["length"].isna().all():
        raise EvalsuiteError("--plot needs a length per sample (the results have none)")
    plt = pyplot()
    labelled = data.assign(run=run_labels(data, (panel,)))
    summary = summarise(labelled, [panel, "run", "length"], metric)
    panels = sorted(summary[panel].astype(str).unique())
    figure, axes = _grid(plt, len(panels))
    colours = {run: f"C{i}" for i, run in enumerate(dict.fromkeys(labelled["run"]))}
    for axis, name in zip(axes.flat, panels):
        rows = summary[summary[panel].astype(str) == name]
        for run, group in rows.groupby("run", sort=False):
            group = group.sort_values("length")
            axis.plot(group["length"], group["mean"], marker="o", markersize=3, color=colours[run], label=run)
            axis.fill_between(group["length"], group["ci_low"], group["ci_high"], color=colours[run], alpha=0.15)
        if name in TRAIN_LENGTHS:
            _mark_train_length(axis, TRAIN_LENGTHS[name][-1], rows["length"])
        axis.set_title(name, fontsize=9)
        axis.tick_params(labelsize=7)
        if metric != "abs_error":
            axis.set_ylim(-0.05, 1.05)
    marked = panel == "algo_name" and any(name in TRAIN_LENGTHS for name in panels)
    xlabel = "length (dashed: largest training length in the paper)" if marked else "length"
    _finish(plt, figure, axes, len(panels), xlabel, metric, path)


def plot_histogram(data: pd.DataFrame, column: str, path: str | Path, panel: str = "variant") -> None:
    """Write a PNG: the distribution of `column` (e.g. predicted counts), one panel per `panel`."""
    plt = pyplot()
    values = data.dropna(subset=[column])
    panels = sorted(values[panel].astype(str).unique())
    if not panels:
        raise EvalsuiteError(f"--plot: no {column} values to draw")
    figure, axes = _grid(plt, len(panels))
    for axis, name in zip(axes.flat, panels):
        counts = values.loc[values[panel].astype(str) == name, column].astype(int).value_counts().sort_index()
        axis.bar(counts.index, counts.values, width=max(1.0, (counts.index.max() - counts.index.min()) / 60))
        axis.set_title(name, fontsize=9)
        axis.tick_params(labelsize=7)
    _finish(plt, figure, axes, len(panels), column, "samples", path)


def _grid(plt, count: int):
    columns = min(5, count)
    rows = math.ceil(count / columns)
    return plt.subplots(rows, columns, figsize=(3.2 * columns, 2.6 * rows), squeeze=False, sharey=True)


def _finish(plt, figure, axes, used: int, xlabel: str, ylabel: str, path: str | Path) -> None:
    for axis in list(axes.flat)[used:]:
        axis.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if labels:
        figure.legend(handles, labels, loc="upper center", ncol=min(4, len(labels)), fontsize=8, frameon=False)
    figure.supxlabel(xlabel, fontsize=9)
    figure.supylabel(ylabel, fontsize=9)
    rows = axes.shape[0]
    figure.tight_layout(rect=(0, 0, 1, 1 - (0.35 / (rows + 1) if labels else 0)))
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=120, format="png")
    plt.close(figure)


def plot_by_algorithm(data: pd.DataFrame, metric: str, path: str | Path) -> None:
    """Write a PNG: `metric` per algorithm as horizontal bars with 95% intervals, one bar per
    run (for results at a single length, where a curve over length says nothing)."""
    plt = pyplot()
    labelled = data.assign(run=run_labels(data, ("algo_name",)))
    summary = summarise(labelled, ["algo_name", "run"], metric)
    algorithms = sorted(summary["algo_name"].unique(), reverse=True)
    runs = list(dict.fromkeys(labelled["run"]))
    height = 0.8 / len(runs)
    figure, axis = plt.subplots(figsize=(7, 0.3 * len(algorithms) * max(1, len(runs) / 1.5) + 1.2))
    for offset, run in enumerate(runs):
        rows = summary[summary["run"] == run].set_index("algo_name").reindex(algorithms)
        positions = [i + (offset - (len(runs) - 1) / 2) * height for i in range(len(algorithms))]
        errors = [(rows["mean"] - rows["ci_low"]).fillna(0), (rows["ci_high"] - rows["mean"]).fillna(0)]
        axis.barh(positions, rows["mean"], height=height, xerr=errors, color=f"C{offset}", label=run,
                  error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "grey"})
    axis.set_yticks(range(len(algorithms)), algorithms, fontsize=8)
    axis.set_xlim(0, 1.0 if metric != "abs_error" else None)
    axis.set_xlabel(f"{metric} (bars: 95% interval)", fontsize=9)
    axis.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=120, format="png")
    plt.close(figure)


def draw_report_plots(data: pd.DataFrame, metric: str, path: str | Path) -> list[Path]:
    """The plots `evalsuite report --plot PATH` writes for these results: CLRS-Text scores by
    algorithm; copying accuracy and counting absolute error by task, and the histogram of
    predicted counts, for the over-squashing tasks (PATH gets -copy, -count, -counts).
    Results at a single length get bars per algorithm instead of curves over length."""
    path = Path(path)
    tasks = set(data["task"].dropna()) if "task" in data else set()
    if not tasks & {"copy", "count"}:
        if "length" in data and data["length"].nunique() == 1:
            plot_by_algorithm(data, metric, path)
        else:
            plot_by_length(data, metric, path)
        return [path]
    written = []
    for task, task_metric, suffix in (("copy", metric, "copy"), ("count", "abs_error", "count")):
        part = data[data["task"] == task]
        if part.empty:
            continue
        target = path.with_name(f"{path.stem}-{suffix}{path.suffix}")
        plot_by_length(part, task_metric if task == "count" else metric, target, panel="variant")
        written.append(target)
        if task == "count":
            histogram = path.with_name(f"{path.stem}-counts{path.suffix}")
            plot_histogram(part, "predicted", histogram)
            written.append(histogram)
    return written


def plot_differences(table: pd.DataFrame, path: str | Path) -> None:
    """Write a PNG of a `compare` table: the difference A − B with its interval per
    algorithm, against length (one panel per algorithm) when the table has lengths, else
    one row per algorithm; a line at zero, and the overall difference in the title."""
    if "algo_name" not in table:
        raise EvalsuiteError("--plot needs the algorithm among the --by columns (e.g. --by algorithm,length)")
    plt = pyplot()
    rows = table[(table["algo_name"] != "all") & table["difference"].notna()]
    overall = table.iloc[-1]
    names = f"A ({table.attrs['a']}) − B ({table.attrs['b']})" if table.attrs.get("a") else "A − B"
    title = f"{names}: overall {overall['difference']:+.3f} [{overall['ci_low']:+.3f}, {overall['ci_high']:+.3f}]"
    if "length" in table and rows["length"].nunique() > 1:
        panels = sorted(rows["algo_name"].astype(str).unique())
        figure, axes = _grid(plt, len(panels))
        for axis, name in zip(axes.flat, panels):
            group = rows[rows["algo_name"].astype(str) == name].sort_values("length")
            _difference_bars(axis, group["length"].astype(float), group, vertical=True)
            axis.xaxis.get_major_locator().set_params(integer=True)
            axis.set_title(name, fontsize=9)
            axis.tick_params(labelsize=7)
        figure.suptitle(title, fontsize=9)
        _finish(plt, figure, axes, len(panels), "length", "A − B (95% interval)", path)
        return
    rows = rows.sort_values("algo_name", ascending=False)
    figure, axis = plt.subplots(figsize=(7, 0.3 * len(rows) + 1.2))
    _difference_bars(axis, range(len(rows)), rows, vertical=False)
    axis.set_yticks(range(len(rows)), rows["algo_name"].astype(str), fontsize=8)
    axis.set_xlabel("A − B (bars: 95% interval)", fontsize=9)
    axis.set_title(title, fontsize=9)
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=120, format="png")
    plt.close(figure)


def _difference_bars(axis, positions, rows: pd.DataFrame, vertical: bool) -> None:
    errors = [rows["difference"] - rows["ci_low"], rows["ci_high"] - rows["difference"]]
    style = {"fmt": "o", "markersize": 3, "capsize": 2, "elinewidth": 0.8, "color": "C0"}
    if vertical:
        axis.errorbar(positions, rows["difference"], yerr=errors, **style)
        axis.axhline(0, color="grey", linewidth=0.8)
    else:
        axis.errorbar(rows["difference"], positions, xerr=errors, **style)
        axis.axvline(0, color="grey", linewidth=0.8)
