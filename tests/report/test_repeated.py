"""Repeated samples: mean over samples, majority vote and pass@k per group, worked by hand."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from evalsuite.report import load_results
from evalsuite.report.repeated import format_repeated, has_repeated_samples, repeated_samples_table

GOLD = "[1 2 3]"
# item -> the flexible answers of its samples (GOLD is right; None: nothing parsed)
ANSWERS = {
    "bfs/4/0": [GOLD, GOLD, "[3 2 1]", None],             # 2 of 4 right; GOLD wins the vote 2:1
    "bfs/4/1": ["[0 0 0]", "[0 0 0]", GOLD, "[1  2 3]"],  # 2 right (whitespace aside) tie 2:2 with [0 0 0]
    "bfs/5/0": ["[9 9 9]", "[8 8 8]", "[9 9 9]", "[9 9 9]"],  # none right
}
# where the strict pipeline read something else than the flexible one
STRICT = {("bfs/4/0", 1): "so: [1 2 3]"}


def write_samples(directory: Path, answers: dict[str, list[str | None]] = ANSWERS) -> Path:
    directory.mkdir(parents=True)
    with open(directory / "samples.jsonl", "w") as out:
        for item, outputs in answers.items():
            algo, length, _ = item.split("/")
            for index, answer in enumerate(outputs):
                right = answer is not None and " ".join(answer.split()) == GOLD
                strict = STRICT.get((item, index), answer or "")
                out.write(json.dumps({
                    "item_id": item, "algo_name": algo, "length": int(length), "model": "m", "style": "few-shot",
                    "shots": 2, "mode": "completion", "layout": "single", "sample_index": index,
                    "sample_seed": 1000 + index, "flexible_answer": answer, "strict_answer": strict,
                    "exact_flexible": right, "exact_strict": " ".join(strict.split()) == GOLD,
                    "parsed": answer is not None,
                }) + "\n")
    return directory


def test_mean_majority_vote_and_pass_at_k_by_hand(tmp_path: Path) -> None:
    data = load_results([write_samples(tmp_path / "run")])
    assert has_repeated_samples(data) and len(data) == 12  # every sample kept, none merged
    table = repeated_samples_table(data, ["algorithm"])
    row = table.iloc[0]
    assert (row["algo_name"], row["items"], row["samples_per_item"]) == ("bfs", 3, 4)
    assert row["mean"] == pytest.approx(4 / 12)
    assert row["majority_vote"] == pytest.approx((1 + 0.5 + 0) / 3)
    # pass@k per item with n = 4: c = 2, 2, 0
    for k in (1, 2, 3, 4):
        expected = 2 * (1 - math.comb(4 - 2, k) / math.comb(4, k)) / 3
        assert row[f"pass@{k}"] == pytest.approx(expected)
    assert row["pass@1"] == pytest.approx(row["mean"])  # pass@1 is the mean when all items have K samples


def test_the_strict_metric_votes_on_the_strict_answer(tmp_path: Path) -> None:
    data = load_results([write_samples(tmp_path / "run")])
    row = repeated_samples_table(data, [], metric="exact_strict").iloc[0]
    # bfs/4/0 strict: GOLD, "so: [1 2 3]", "[3 2 1]" one vote each (the empty one abstains),
    # a three-way tie with one right: 1/3; bfs/4/1 as before 1/2; bfs/5/0: 0
    assert row["mean"] == pytest.approx(3 / 12)
    assert row["majority_vote"] == pytest.approx((1 / 3 + 1 / 2 + 0) / 3)


def test_groups_and_chosen_k(tmp_path: Path) -> None:
    data = load_results([write_samples(tmp_path / "run")])
    table = repeated_samples_table(data, ["algorithm", "length"], ks=[1, 3])
    assert [column for column in table.columns if column.startswith("pass@")] == ["pass@1", "pass@3"]
    five = table.set_index("length").loc[5]
    assert five["items"] == 1 and five["majority_vote"] == 0.0 and five["pass@3"] == 0.0


def test_items_with_fewer_samples_than_k_are_left_out_of_pass_at_k(tmp_path: Path) -> None:
    answers = {"bfs/4/0": [GOLD, "[0 0 0]", "[0 0 0]"], "bfs/4/1": ["[0 0 0]"]}
    data = load_results([write_samples(tmp_path / "run", answers)])
    row = repeated_samples_table(data, []).iloc[0]
    assert row["samples_per_item"] == 3 and row["items"] == 2
    assert row["pass@1"] == pytest.approx((1 / 3 + 0) / 2)
    assert row["pass@2"] == pytest.approx(1 - math.comb(2, 2) / math.comb(3, 2))  # bfs/4/0 only


def test_a_run_without_repeated_samples_is_told_apart() -> None:
    assert not has_repeated_samples(pd.DataFrame({"sample_index": [0, 0], "exact_flexible": [True, False]}))
    assert not has_repeated_samples(pd.DataFrame({"exact_flexible": [True]}))


@pytest.mark.parametrize("fmt", ["markdown", "csv", "latex", "html"])
def test_report_repeated_prints_the_table(tmp_path: Path, fmt: str) -> None:
    run = write_samples(tmp_path / "run")
    result = subprocess.run([sys.executable, "-m", "evalsuite", "report", str(run), "--by", "algorithm",
                             "--repeated", "--format", fmt], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "majority_vote" in result.stdout and "pass@4" in result.stdout
    if fmt == "markdown":
        assert "| bfs | m | 3 | 4 | 0.333 | 0.500 |" in result.stdout
    assert format_repeated(repeated_samples_table(load_results([run]), []), fmt)
