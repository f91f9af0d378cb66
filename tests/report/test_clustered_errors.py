"""Clustered standard errors in `summarise` and the report tables, on tables small enough
to work out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evalsuite.errors import EvalsuiteError
from evalsuite.report import comparison_table, format_table, summarise
from evalsuite.report.statistics import t_critical


def cells(right: dict[tuple[str, int], list[int]], model: str = "m") -> pd.DataFrame:
    rows = [
        {"item_id": f"{algo}/{length}/{i}", "algo_name": algo, "length": length, "model": model, "style": "few-shot",
         "shots": 2, "mode": "completion", "layout": "single", "exact_flexible": bool(value), "parsed": True,
         "elementwise": float(value)}
        for (algo, length), values in right.items() for i, value in enumerate(values)
    ]
    return pd.DataFrame(rows)


# Three cells of very different difficulty: the items of a cell are alike.
TINY = {("bfs", 4): [1, 1, 1, 1], ("bfs", 5): [1, 1, 0, 0], ("dfs", 4): [0, 0, 0, 0]}


def test_overall_mean_gets_the_cr1_error_of_algorithm_and_length_cells() -> None:
    row = summarise(cells(TINY), []).iloc[0]
    # N = 12, mean 1/2; residual sums per cell: bfs/4 4 * 1/2 = 2, bfs/5 0, dfs/4 -2; G = 3
    cluster_se = math.sqrt(3 / 2 * (4 + 0 + 4) / 12 ** 2)
    naive = math.sqrt(0.25 * 12 / 11 / 12)  # s with n - 1: variance 12/11 * 1/4
    assert row["n"] == 12 and row["mean"] == 0.5 and row["clusters"] == 3
    assert row["cluster_se"] == pytest.approx(cluster_se, rel=1e-12)
    assert row["se"] == pytest.approx(naive, rel=1e-12)
    half = t_critical(2) * cluster_se  # Student's t with G - 1 = 2 degrees of freedom
    assert row["cluster_ci_low"] == pytest.approx(max(0.0, 0.5 - half))
    assert row["cluster_ci_high"] == pytest.approx(min(1.0, 0.5 + half))
    assert row["cluster_ci_high"] - row["cluster_ci_low"] > row["ci_high"] - row["ci_low"]


def test_groups_within_one_cell_have_no_clustered_error() -> None:
    table = summarise(cells(TINY), ["algorithm", "length"])
    assert (table["clusters"] == 1).all()
    assert table["cluster_se"].isna().all() and table["cluster_ci_low"].isna().all()
    bfs = summarise(cells(TINY), ["algorithm"]).set_index("algo_name").loc["bfs"]
    # bfs: 8 items in 2 cells, mean 3/4, residual sums 4 * 1/4 = 1 and 4 * -1/4 = -1
    assert bfs["clusters"] == 2
    assert bfs["cluster_se"] == pytest.approx(math.sqrt(2 / 1 * 2 / 8 ** 2), rel=1e-12)


def test_a_named_cluster_column_replaces_the_default() -> None:
    data = cells(TINY).assign(batch=[0, 1] * 6)
    row = summarise(data, [], cluster="batch").iloc[0]
    values = data["exact_flexible"].astype(float).to_numpy()
    sums = [np.sum(values[data["batch"] == b] - values.mean()) for b in (0, 1)]
    assert row["clusters"] == 2
    assert row["cluster_se"] == pytest.approx(math.sqrt(2 * sum(s * s for s in sums) / 12 ** 2), rel=1e-12)
    per_item = summarise(data, [], cluster="item_id", metric="elementwise").iloc[0]
    assert per_item["cluster_se"] == pytest.approx(per_item["se"], rel=1e-12)  # one value per cluster


def test_unknown_cluster_column_is_one_clear_error() -> None:
    with pytest.raises(EvalsuiteError, match="cluster: no column prompt_id"):
        summarise(cells(TINY), [], cluster="prompt_id")


def test_without_algorithm_and_length_there_is_nothing_to_cluster_by_default() -> None:
    data = cells(TINY).drop(columns=["length"])
    row = summarise(data, []).iloc[0]
    assert row["clusters"] == 0 and math.isnan(row["cluster_se"]) and row["se"] > 0


def test_the_report_table_shows_the_clustered_interval_where_a_row_spans_cells() -> None:
    data = pd.concat([cells(TINY, "model-a"), cells(TINY, "model-b")], ignore_index=True)
    table = comparison_table(data, [], "exact_flexible")
    assert table.loc[0, "model-a|clusters"] == 3
    assert table.loc[0, "model-a|cluster_se"] == pytest.approx(math.sqrt(3 / 2 * 8 / 144))
    text = format_table(table, "markdown")
    assert "(n=12); clustered [" in text and "(3 clusters)" in text
    by_cell = format_table(comparison_table(data, ["algorithm", "length"], "exact_flexible"), "markdown")
    assert "clustered" not in by_cell
