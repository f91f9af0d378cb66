"""The overview's numbers are the report's: the same means, intervals, n and parse
failures as `comparison_table` and `summarise` over `load_results`; its plots follow
`draw_report_plots`; the manifests and the over-squashing tables come along."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from view_runs import records, write_records

from evalsuite.errors import EvalsuiteError
from evalsuite.report import comparison_table, load_results, summarise
from evalsuite.report.tables import run_labels
from evalsuite.view import RunSet
from evalsuite.view.index import INDEX_FILE
from evalsuite.view.overview import overview

RESULTS = Path(__file__).resolve().parents[2] / "results"


def copy_run(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(INDEX_FILE))
    return target


def as_comparison(data: dict) -> dict:
    """(group, run) → (mean, ci_low, ci_high, n) from the overview's table (groups with
    samples, as the report shows)."""
    return {(tuple(row[c] for c in data["by"]), row["run"]): (row["mean"], row["ci_low"], row["ci_high"], row["n"])
            for row in data["table"]["rows"] if row["n"]}


def from_report(paths: list[Path], by: list[str], metric: str) -> dict:
    table = comparison_table(load_results(paths), by, metric)
    runs = [column.split("|")[0] for column in table.columns if column.endswith("|mean")]
    keys = [column for column in table.columns if "|" not in column and column != "ood"]
    found = {}
    for _, row in table.iterrows():
        for run in runs:
            values = tuple(row[f"{run}|{stat}"] for stat in ("mean", "ci_low", "ci_high", "n"))
            if values[3] == values[3] and values[3]:
                found[(tuple(row[k] for k in keys), run)] = values
    return found


@pytest.mark.parametrize(("metric", "by"), [
    ("exact_flexible", ["algo_name", "length"]), ("elementwise", ["algo_name"]), ("trace_prefix", ["length"]),
    ("exact_strict", []), ("exact_flexible", ["style", "algo_name"]),
])
def test_the_table_is_the_reports(run_dir: Path, metric: str, by: list[str]) -> None:
    shown = overview(RunSet([run_dir]), metric, by)
    expected = from_report([run_dir], by, metric)
    if not by:  # the report names its one group "all"
        expected = {((), run): values for (_, run), values in expected.items()}
    assert as_comparison(shown).keys() == expected.keys()
    for key, values in expected.items():
        assert as_comparison(shown)[key] == pytest.approx(values, nan_ok=True)
    assert shown["table"]["runs"] == list(dict.fromkeys(run_labels(load_results([run_dir]), tuple(by))))


def test_parse_failures_and_training_lengths_are_the_summarys(run_dir: Path) -> None:
    shown = overview(RunSet([run_dir]), None, None)
    assert (shown["metric"], shown["by"]) == ("exact_flexible", ["algo_name", "length"])
    data = load_results([run_dir])
    data = data.assign(run=run_labels(data, ("algo_name", "length")))
    expected = summarise(data, ["algo_name", "length", "run"])
    rows = {(r["algo_name"], r["length"], r["run"]): r for r in shown["table"]["rows"]}
    for row in expected.itertuples():
        assert rows[(row.algo_name, row.length, row.run)]["parse_failure_rate"] == pytest.approx(row.parse_failure_rate)
        assert rows[(row.algo_name, row.length, row.run)]["ood"] == row.ood
    assert shown["table"]["configurations"]["dummy/oracle style=trace"] == {
        "model": "dummy/oracle", "style": "trace", "shots": 1, "mode": "completion", "layout": "single"}


def test_shards_in_two_directories_give_one_table(run_dir: Path, tmp_path: Path) -> None:
    rows = records(run_dir)
    for number, part in enumerate((rows[:20], rows[20:])):
        (tmp_path / f"shard{number}").mkdir()
        write_records(tmp_path / f"shard{number}", part)
    whole, shards = overview(RunSet([run_dir]), None, None), overview(RunSet([tmp_path / "shard0", tmp_path / "shard1"]), None, None)
    assert as_comparison(whole) == as_comparison(shards)


def test_bad_choices_are_one_line_errors(run_dir: Path) -> None:
    with pytest.raises(EvalsuiteError, match="no sample has 'abs_error'"):
        overview(RunSet([run_dir]), "abs_error", None)
    with pytest.raises(EvalsuiteError, match="no column colour"):
        overview(RunSet([run_dir]), None, ["colour"])


def test_clrs_plots_are_curves_over_length_or_bars_at_one_length(run_dir: Path, tmp_path: Path) -> None:
    lines = overview(RunSet([run_dir]), None, None)["plots"]
    assert [plot["kind"] for plot in lines] == ["lines"]
    assert {row["algo_name"] for row in lines[0]["rows"]} == {"bfs", "insertion_sort", "minimum"}
    assert set(lines[0]["train"]) == {"bfs", "insertion_sort", "minimum"}
    quickstart = overview(RunSet([copy_run(RESULTS / "quickstart", tmp_path / "quickstart")]), None, None)
    assert [plot["kind"] for plot in quickstart["plots"]] == ["bars"]
    assert len({row["algo_name"] for row in quickstart["plots"][0]["rows"]}) == 30


def test_oversquash_runs_draw_their_own_plots_and_tables(tmp_path: Path) -> None:
    study = tmp_path / "oversquash"
    study.mkdir()
    for name in ("collapse.csv", "sensitivity.csv"):
        shutil.copy(RESULTS / "oversquash" / name, study / name)
    copy, count = (copy_run(RESULTS / "oversquash" / name, tmp_path / name) for name in ("copy", "count"))
    shown = overview(RunSet([copy, count, study]), None, None)
    assert shown["by"] == ["task", "variant", "length"]
    assert [(plot["kind"], plot.get("metric")) for plot in shown["plots"]] == [
        ("lines", "exact_flexible"), ("lines", "abs_error"), ("histogram", None)]
    counts = pd.DataFrame(records(count)).dropna(subset=["predicted"])
    assert sum(row["samples"] for row in shown["plots"][2]["rows"]) == len(counts)
    kinds = {entry["kind"]: entry["rows"] for entry in shown["studies"]}
    assert set(kinds) == {"collapse", "sensitivity"}
    first = kinds["collapse"][0]
    assert (first["pair"], first["dtype"], first["n"], first["valid"]) == ("ones", "float32", 1, True)
    assert first["linf"] == pytest.approx(8.337635040283203)
    assert kinds["sensitivity"][0] == {"position": 0, "token": "<bos>", "grad_norm": pytest.approx(44.436822045464766)}
    assert [entry["run"] for entry in shown["manifests"]] == ["copy", "count"]


def test_manifest_totals_and_wall_time(tmp_path: Path) -> None:
    shown = overview(RunSet([copy_run(RESULTS / "quickstart", tmp_path / "quickstart")]), None, None)
    [entry] = shown["manifests"]
    assert entry["manifest"]["totals"]["requests"] == 120
    assert entry["duration_s"] == 10 * 60 + 17  # 23:22:00 to 23:32:17


def test_a_directory_that_is_not_a_run_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EvalsuiteError, match="is not a run directory"):
        RunSet([tmp_path])
    with pytest.raises(EvalsuiteError, match="no such run directory"):
        RunSet([tmp_path / "missing"])
