"""`compare`: two runs paired item by item, on runs whose answers are set by hand."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from evalsuite.errors import EvalsuiteError
from evalsuite.report import load_results
from evalsuite.report.comparison import compare, format_comparison
from evalsuite.report.statistics import mcnemar_exact_p


def write_run(directory: Path, model: str, scores: dict[str, list[int]], style: str = "few-shot",
              extra: dict | None = None) -> Path:
    """A run directory: for each "algo/length", item i has exact_flexible scores[algo/length][i]
    (None: the item is not in this run)."""
    directory.mkdir(parents=True)
    with open(directory / "samples.jsonl", "w") as out:
        for cell, values in scores.items():
            algo, length = cell.split("/")
            for index, value in enumerate(values):
                if value is None:
                    continue
                out.write(json.dumps({
                    "item_id": f"current/{algo}/{length}/0/{index}", "algo_name": algo, "length": int(length),
                    "model": model, "style": style, "shots": 2 if style == "few-shot" else 0,
                    "mode": "completion", "layout": "single", "exact_flexible": bool(value),
                    "elementwise": 0.5 * value + 0.25, **(extra or {}),
                }) + "\n")
    return directory


@pytest.fixture
def overlapping(tmp_path: Path) -> tuple[Path, Path]:
    """bfs/4: 6 items in both; bfs/5: item 2 only in A, item 3 only in B; minimum/4: only in B."""
    a = write_run(tmp_path / "a", "model-a", {"bfs/4": [1, 1, 1, 0, 1, 0], "bfs/5": [1, 0, 1, None]})
    b = write_run(tmp_path / "b", "model-b", {"bfs/4": [1, 0, 0, 0, 1, 1], "bfs/5": [0, 0, None, 1],
                                              "minimum/4": [1, 1]})
    return a, b


def test_partially_overlapping_runs_pair_only_shared_items_and_count_the_rest(overlapping) -> None:
    table = compare(*overlapping, by=["algorithm", "length"])
    rows = {(r.algo_name, r.length): r for r in table.itertuples()}
    bfs4, bfs5, minimum, overall = rows[("bfs", 4)], rows[("bfs", 5)], rows[("minimum", 4)], rows[("all", "all")]
    assert (bfs4.n_pairs, bfs4.only_in_a, bfs4.only_in_b) == (6, 0, 0)
    assert (bfs5.n_pairs, bfs5.only_in_a, bfs5.only_in_b) == (2, 1, 1)
    assert (minimum.n_pairs, minimum.only_in_a, minimum.only_in_b) == (0, 0, 2)
    assert math.isnan(minimum.difference)
    assert (overall.n_pairs, overall.only_in_a, overall.only_in_b) == (8, 1, 3)
    # bfs/4: A 1 1 1 0 1 0 against B 1 0 0 0 1 1: A only right twice, B once
    assert (bfs4.mean_a, bfs4.mean_b) == (4 / 6, 3 / 6)
    assert bfs4.difference == pytest.approx(1 / 6)
    assert (bfs4.a_right_b_wrong, bfs4.a_wrong_b_right) == (2, 1)
    assert bfs4.mcnemar_p == pytest.approx(2 * (1 + 3) / 8) == mcnemar_exact_p(2, 1)  # capped: 1.0
    # bfs/5 pairs items 0 and 1 only: A 1 0 against B 0 0
    assert (bfs5.mean_a, bfs5.mean_b, bfs5.a_right_b_wrong, bfs5.a_wrong_b_right) == (0.5, 0.0, 1, 0)
    # overall: 8 pairs, 3 discordant for A, 1 for B
    assert (overall.a_right_b_wrong, overall.a_wrong_b_right) == (3, 1)
    assert overall.mcnemar_p == pytest.approx(2 * (1 + 4) / 16)
    assert overall.difference == pytest.approx(5 / 8 - 3 / 8)
    assert overall.ci_low <= overall.difference <= overall.ci_high
    assert list(table.columns[:2]) == ["algo_name", "length"] and table.attrs["a"] == "model=model-a"


def test_a_run_against_itself_differs_by_nothing(overlapping) -> None:
    table = compare(overlapping[0], overlapping[0], by=["algorithm"])
    assert (table["difference"] == 0).all() and (table["ci_low"] == 0).all() and (table["ci_high"] == 0).all()
    assert (table["mcnemar_p"] == 1).all() and (table["only_in_a"] == 0).all()
    assert table.attrs["a"] == "" and "model" in table.attrs["paired_on"]


def test_the_pairs_are_the_unit_of_the_bootstrap(tmp_path: Path) -> None:
    """Two runs that agree on most items: the paired interval is far narrower than the one of
    two independent samples, and it holds the known difference."""
    a_scores = [1] * 300 + [0] * 150 + [1] * 40 + [0] * 10  # 500 items, B differs on 50 of them
    b_scores = [1] * 300 + [0] * 150 + [0] * 40 + [1] * 10
    a = write_run(tmp_path / "a", "a", {"bfs/4": a_scores})
    b = write_run(tmp_path / "b", "b", {"bfs/4": b_scores})
    row = compare(a, b, by=[]).iloc[0]
    assert row["difference"] == pytest.approx(30 / 500)
    assert row["ci_low"] < 30 / 500 < row["ci_high"] and row["ci_low"] > 0
    # normal widths: paired 2 z sqrt((50/500 - 0.06**2) / 500) ~ 0.054; as if independent
    # (0.68 and 0.62 right) 2 z sqrt((0.68 * 0.32 + 0.62 * 0.38) / 500) ~ 0.118
    paired_width = 2 * 1.96 * math.sqrt((0.1 - 0.06 ** 2) / 500)
    assert row["ci_high"] - row["ci_low"] == pytest.approx(paired_width, rel=0.15)
    assert row["ci_high"] - row["ci_low"] < 0.6 * 2 * 1.96 * math.sqrt((0.68 * 0.32 + 0.62 * 0.38) / 500)
    assert row["mcnemar_p"] == pytest.approx(mcnemar_exact_p(40, 10))


def test_runs_of_two_styles_pair_on_the_item_and_the_style_becomes_what_is_compared(tmp_path: Path) -> None:
    zero = write_run(tmp_path / "zero", "m", {"bfs/4": [0, 0, 1]}, style="zero-shot")
    few = write_run(tmp_path / "few", "m", {"bfs/4": [1, 1, 1]}, style="few-shot")
    table = compare(few, zero, by=["algorithm"])
    assert table.iloc[0]["n_pairs"] == 3 and table.iloc[0]["difference"] == pytest.approx(2 / 3)
    assert table.attrs["a"] == "style=few-shot shots=2" and table.attrs["paired_on"] == ["item_id", "model", "mode", "layout"]


def test_repeated_samples_are_averaged_per_item_and_mcnemar_is_left_out(tmp_path: Path) -> None:
    single = write_run(tmp_path / "single", "greedy", {"bfs/4": [1, 0]})
    lines = [json.loads(line) for line in (single / "samples.jsonl").read_text().splitlines()]
    sampled = tmp_path / "sampled"
    sampled.mkdir()
    with open(sampled / "samples.jsonl", "w") as out:
        for line, values in zip(lines, ([1, 0, 0], [1, 1, 0])):
            for index, value in enumerate(values):
                out.write(json.dumps({**line, "model": "sampled", "sample_index": index, "exact_flexible": bool(value)}) + "\n")
    row = compare(single, sampled, by=[]).iloc[0]
    assert row["n_pairs"] == 2 and row["mean_b"] == pytest.approx((1 / 3 + 2 / 3) / 2)
    assert math.isnan(row["mcnemar_p"]) and math.isnan(row["a_right_b_wrong"])


def test_continuous_metrics_have_intervals_but_no_mcnemar(overlapping) -> None:
    table = compare(*overlapping, by=["algorithm"], metric="elementwise")
    assert table["mcnemar_p"].isna().all()
    overall = table.iloc[-1]
    assert overall["difference"] == pytest.approx(0.5 * (5 / 8 - 3 / 8))


def test_frames_and_shards_are_accepted_like_directories(overlapping, tmp_path: Path) -> None:
    a, b = overlapping
    lines = (a / "samples.jsonl").read_text().splitlines()
    for part, chosen in (("one", lines[::2]), ("two", lines[1::2])):
        (tmp_path / part).mkdir()
        (tmp_path / part / "samples.jsonl").write_text("\n".join(chosen) + "\n")
    from_shards = compare([tmp_path / "one", tmp_path / "two"], load_results([b]))
    pd.testing.assert_frame_equal(from_shards, compare(a, b))


def test_a_run_of_two_models_against_one_of_a_third_is_refused(tmp_path: Path) -> None:
    first = write_run(tmp_path / "a", "model-a", {"bfs/4": [1]})
    second = write_run(tmp_path / "b", "model-b", {"bfs/4": [0]})
    both = tmp_path / "both"
    both.mkdir()
    (both / "samples.jsonl").write_text((first / "samples.jsonl").read_text() + (second / "samples.jsonl").read_text())
    third = write_run(tmp_path / "c", "model-c", {"bfs/4": [1]})
    with pytest.raises(EvalsuiteError, match=r"run A holds several model values \(model-a, model-b\)"):
        compare(both, third)


@pytest.mark.parametrize(("by", "message"), [
    (["model"], "--by model: the runs differ in it"),
    (["temperature"], "--by: no column temperature"),
])
def test_groups_that_cannot_hold_pairs_are_one_clear_error(overlapping, by: list[str], message: str) -> None:
    with pytest.raises(EvalsuiteError, match=message):
        compare(*overlapping, by=by)


@pytest.mark.parametrize("fmt", ["markdown", "csv", "latex", "html"])
def test_cli_writes_every_format_and_a_plot(tmp_path: Path, overlapping, fmt: str) -> None:
    out, plot = tmp_path / f"compare.{fmt}", tmp_path / "differences.png"
    result = subprocess.run(
        [sys.executable, "-m", "evalsuite", "compare", *map(str, overlapping), "--format", fmt, "-o", str(out),
         "--plot", str(plot)], capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "A: " in result.stderr and "model=model-a" in result.stderr and "paired on item_id" in result.stderr
    text = out.read_text()
    assert ("only_in_a" if fmt == "csv" else "only in A") in text and "all" in text
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_markdown_cells_read_as_differences_with_intervals(overlapping) -> None:
    text = format_comparison(compare(*overlapping), "markdown")
    header, _, *rows = text.splitlines()
    assert header.startswith("| algo_name | length | pairs | A | B | A − B [95% CI] | McNemar p |")
    bfs4 = next(row for row in rows if row.startswith("| bfs | 4 |"))
    assert "| 6 | 0.667 | 0.500 | +0.167 [" in bfs4 and "| 1.0000 | 2 | 1 | 0 | 0 |" in bfs4


def test_cli_errors_are_one_line_with_exit_code_2(tmp_path: Path, overlapping) -> None:
    result = subprocess.run([sys.executable, "-m", "evalsuite", "compare", str(overlapping[0]), str(tmp_path / "nope")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "no such run directory" in result.stderr
    result = subprocess.run([sys.executable, "-m", "evalsuite", "compare", *map(str, overlapping), "--by", "length",
                             "--plot", str(tmp_path / "p.png")], capture_output=True, text=True)
    assert result.returncode == 2 and "--plot needs the algorithm" in result.stderr and result.stdout == ""


def test_scored_files_without_ids_pair_on_the_question(tmp_path: Path) -> None:
    questions = [f"minimum:\nkey: [0.5 0.{i}]\nmin:\n" for i in range(1, 5)]
    for name, right in (("good", [1, 1, 1, 0]), ("bad", [0, 1, 0, 0])):
        with open(tmp_path / f"{name}.jsonl", "w") as out:
            for question, value in zip(questions if name == "good" else questions[:3], right):
                out.write(json.dumps({"question": question, "answer": "1\n\n", "exact_flexible": bool(value)}) + "\n")
    row = compare(tmp_path / "good.jsonl", tmp_path / "bad.jsonl", by=[]).iloc[0]
    assert (row["n_pairs"], row["only_in_a"], row["a_right_b_wrong"], row["a_wrong_b_right"]) == (3, 1, 2, 0)
    with pytest.raises(EvalsuiteError, match="compare needs item ids"):
        compare(pd.DataFrame({"exact_flexible": [True]}), pd.DataFrame({"exact_flexible": [False]}), by=[])


def test_cli_refuses_runs_that_share_no_item(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a", "model-a", {"bfs/4": [1, 1]})
    b = write_run(tmp_path / "b", "model-b", {"dfs/4": [1]})
    result = subprocess.run([sys.executable, "-m", "evalsuite", "compare", str(a), str(b)], capture_output=True, text=True)
    assert result.returncode == 2 and "share no item" in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""
