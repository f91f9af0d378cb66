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


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise EvalsuiteError("plots need matplotlib: pip install 'evalsuite[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _mark_train_length(axis, largest: int, lengths: pd.Series) -> None:
    """A dashed line at the largest training length, or a note when it lies past the data."""
    if lengths.min() <= largest <= lengths.max():
        axis.axvline(largest, color="grey", linestyle="--", linewidth=1)
    else:
        axis.text(0.98, 0.04, f"train ≤ {largest}", transform=axis.transAxes, ha="right", fontsize=7, color="grey")


def plot_by_length(data: pd.DataFrame, metric: str, path: str | Path) -> None:
    """Write a PNG: `metric` against length per algorithm, with 95% intervals shaded and the
    largest training length of the paper marked."""
    if "length" not in data or data["length"].isna().all():
        raise EvalsuiteError("--plot needs a length per sample (the results have none)")
    plt = _pyplot()
    labelled = data.assign(run=run_labels(data))
    summary = summarise(labelled, ["algo_name", "run", "length"], metric)
    algorithms = sorted(summary["algo_name"].unique())
    columns = min(5, len(algorithms))
    rows = math.ceil(len(algorithms) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.6 * rows), squeeze=False, sharey=True)
    colours = {run: f"C{i}" for i, run in enumerate(dict.fromkeys(labelled["run"]))}
    for axis, algo in zip(axes.flat, algorithms):
        for run, group in summary[summary["algo_name"] == algo].groupby("run", sort=False):
            group = group.sort_values("length")
            axis.plot(group["length"], group["mean"], marker="o", markersize=3, color=colours[run], label=run)
            axis.fill_between(group["length"], group["ci_low"], group["ci_high"], color=colours[run], alpha=0.15)
        if algo in TRAIN_LENGTHS:
            _mark_train_length(axis, TRAIN_LENGTHS[algo][-1], summary.loc[summary["algo_name"] == algo, "length"])
        axis.set_title(algo, fontsize=9)
        axis.tick_params(labelsize=7)
        if metric != "abs_error":
            axis.set_ylim(-0.05, 1.05)
    for axis in list(axes.flat)[len(algorithms):]:
        axis.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="upper center", ncol=min(4, len(labels)), fontsize=8, frameon=False)
    figure.supxlabel("length (dashed: largest training length in the paper)", fontsize=9)
    figure.supylabel(metric, fontsize=9)
    figure.tight_layout(rect=(0, 0, 1, 1 - 0.35 / (rows + 1)))
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=120, format="png")
    plt.close(figure)
