"""Reports on a small synthetic set of runs whose means are known."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from evalsuite.errors import EvalsuiteError
from evalsuite.report import (
    comparison_table,
    format_table,
    load_results,
    summarise,
    wilson_interval,
)


def _write_run(directory: Path, model: str, right: dict[tuple[str, int], tuple[int, int]]) -> Path:
    """A run directory where (algo, length) has `ok` right answers out of `n`."""
    directory.mkdir(parents=True)
    with open(directory / "samples.jsonl", "w") as out:
        for (algo, length), (ok, n) in right.items():
            for i in range(n):
                out.write(json.dumps({
                    "item_id": f"{algo}/{length}/0/{i}", "algo_name": algo, "length": length, "model": model,
                    "style": "few-shot", "shots": 2, "mode": "completion", "layout": "single",
                    "exact_flexible": i < ok, "exact_strict": i < ok // 2, "parsed": i < n - 1,
                    "elementwise": 1.0 if i < ok else 0.5,
                }) + "\n")
    return directory


@pytest.fixture
def runs(tmp_path: Path) -> list[Path]:
    return [
        _write_run(tmp_path / "a", "model-a", {("bfs", 4): (8, 10), ("bfs", 40): (2, 10), ("minimum", 5): (5, 5)}),
        _write_run(tmp_path / "b", "model-b", {("bfs", 4): (3, 10), ("minimum", 5): (0, 5)}),
    ]


def test_wilson_interval_matches_the_formula() -> None:
    low, high = wilson_interval(8, 10)
    assert (round(float(low), 4), round(float(high), 4)) == (0.4902, 0.9433)
    low, high = wilson_interval(0, 5)
    assert float(low) == 0.0 and round(float(high), 4) == 0.4345
    assert all(math.isnan(float(x)) for x in wilson_interval(0, 0))


def test_summary_has_known_means_n_and_parse_failures(runs: list[Path]) -> None:
    table = summarise(load_results(runs[:1]), ["algorithm", "length"])
    rows = {(r.algo_name, r.length): r for r in table.itertuples()}
    assert rows[("bfs", 4)].mean == 0.8 and rows[("bfs", 4)].n == 10
    assert rows[("bfs", 40)].mean == 0.2 and rows[("bfs", 40)].ood
    assert not rows[("bfs", 4)].ood
    assert rows[("minimum", 5)].parse_failure_rate == pytest.approx(0.2)
    assert rows[("bfs", 4)].ci_low < 0.8 < rows[("bfs", 4)].ci_high


def test_continuous_metrics_use_a_normal_interval(runs: list[Path]) -> None:
    table = summarise(load_results(runs[:1]), ["algorithm"], "elementwise")
    bfs = table.set_index("algo_name").loc["bfs"]
    assert bfs["mean"] == pytest.approx((10 * 1.0 + 10 * 0.5) / 20)
    assert bfs["ci_low"] < bfs["mean"] < bfs["ci_high"]


def test_runs_side_by_side(runs: list[Path]) -> None:
    table = comparison_table(load_results(runs), ["algorithm"], "exact_flexible")
    row = table.set_index("algo_name").loc["minimum"]
    assert row["model-a|mean"] == 1.0 and row["model-b|mean"] == 0.0
    assert table.set_index("algo_name").loc["bfs", "model-b|n"] == 10
    text = format_table(table, "markdown")
    assert text.splitlines()[0] == "| algo_name | model-a | model-b |"
    assert "1.000 [0.566, 1.000] (n=5)" in text


def test_shards_merge_into_the_whole(tmp_path: Path, runs: list[Path]) -> None:
    whole = summarise(load_results(runs[:1]), ["algorithm", "length"])
    lines = (runs[0] / "samples.jsonl").read_text().splitlines()
    for shard, part in enumerate((lines[::2], lines[1::2])):
        (tmp_path / f"shard{shard}").mkdir()
        (tmp_path / f"shard{shard}" / "samples.jsonl").write_text("\n".join(part) + "\n")
    merged = summarise(load_results([tmp_path / "shard0", tmp_path / "shard1"]), ["algorithm", "length"])
    assert merged.equals(whole)


def test_scored_files_without_configuration_compare_by_file_name(tmp_path: Path) -> None:
    for name, output in (("good", "1"), ("bad", "0")):
        record = {"question": "minimum:\nkey: [0.5 0.1]\nmin:\n", "answer": "1\n\n", "output": output,
                  "exact_flexible": output == "1", "parsed": True}
        (tmp_path / f"{name}.jsonl").write_text(json.dumps(record) + "\n")
    table = comparison_table(load_results([tmp_path / "good.jsonl", tmp_path / "bad.jsonl"]), ["algorithm"], "exact_flexible")
    assert table.loc[0, "good|mean"] == 1.0 and table.loc[0, "bad|mean"] == 0.0


@pytest.mark.parametrize("fmt", ["markdown", "csv", "latex", "html"])
def test_cli_writes_every_format_and_a_plot(tmp_path: Path, runs: list[Path], fmt: str) -> None:
    out, plot = tmp_path / f"table.{fmt}", tmp_path / "plot.png"
    result = subprocess.run(
        [sys.executable, "-m", "evalsuite", "report", *map(str, runs), "--format", fmt, "-o", str(out),
         "--plot", str(plot)], capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "model-a" in out.read_text()
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_group_column_is_one_clear_error(runs: list[Path]) -> None:
    with pytest.raises(EvalsuiteError, match="--by: no column temperature"):
        summarise(load_results(runs), ["temperature"])
