"""`evalsuite generate` and `evalsuite algorithms` from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evalsuite.cli.main import main


def evalsuite(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "evalsuite", *args], capture_output=True, text=True, timeout=300
    )


def test_writes_jsonl_with_hf_compatible_fields(tmp_path: Path) -> None:
    out = tmp_path / "bfs.jsonl"
    assert main(["generate", "--algorithms", "bfs,minimum", "--lengths", "4-5", "--seeds", "0,1",
                 "--samples", "2", "--hints", "both", "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 2 * 2 * 2 * 2 * 2
    assert set(records[0]) == {"algo_name", "length", "seed", "index", "use_hints", "flavor",
                               "question", "answer", "text"}
    assert all(r["text"] == r["question"] + r["answer"] for r in records)


def test_workers_write_the_same_bytes(tmp_path: Path) -> None:
    arguments = ["generate", "--algorithms", "dfs,quicksort,kmp_matcher", "--lengths", "4-9",
                 "--seeds", "0,3", "--samples", "3", "--hints", "both"]
    assert main([*arguments, "-o", str(tmp_path / "one.jsonl")]) == 0
    assert main([*arguments, "--workers", "2", "-o", str(tmp_path / "two.jsonl")]) == 0
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()


def test_parquet_holds_the_same_records_as_jsonl(tmp_path: Path) -> None:
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
    arguments = ["generate", "--algorithms", "minimum", "--lengths", "4,6", "--samples", "3"]
    assert main([*arguments, "-o", str(tmp_path / "s.jsonl")]) == 0
    assert main([*arguments, "-o", str(tmp_path / "s.parquet")]) == 0
    rows = pyarrow_parquet.read_table(tmp_path / "s.parquet").to_pylist()
    assert rows == [json.loads(line) for line in (tmp_path / "s.jsonl").read_text().splitlines()]


def test_preset_values_are_overridden_by_explicit_options(tmp_path: Path) -> None:
    out = tmp_path / "val.jsonl"
    assert main(["generate", "--preset", "paper-val", "--algorithms", "bridges", "--seeds", "3",
                 "--samples", "1", "--hints", "off", "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["length"] for r in records] == [4, 5, 6, 7]
    assert {r["seed"] for r in records} == {3} and not any(r["use_hints"] for r in records)


def test_algorithms_lists_thirty() -> None:
    result = evalsuite("algorithms", "--json")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0 and len(rows) == 30
    bfs = next(row for row in rows if row["algorithm"] == "bfs")
    assert bfs["inputs"] == ["s", "A"] and bfs["outputs"] == ["pi"]
    assert bfs["val_lengths"][-1] == 41


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--algorithms", "bsf", "--lengths", "5"], "unknown algorithm 'bsf' (did you mean bfs?)"),
        (["--algorithms", "bfs", "--lengths", "0"], "too short for bfs"),
        (["--algorithms", "bfs", "--lengths", "5", "--samples", "-3"], "--samples must be 0 or more"),
        (["--algorithms", "bfs", "--lengths", "five"], "--lengths: 'five' is not"),
        (["--algorithms", "bfs"], "--lengths is required"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(tmp_path: Path, arguments: list, message: str) -> None:
    out = tmp_path / "out.jsonl"
    result = evalsuite("generate", *arguments, "-o", str(out))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_unwritable_output_is_one_line(tmp_path: Path) -> None:
    result = evalsuite("generate", "--algorithms", "bfs", "--lengths", "5", "-o", str(tmp_path / "no" / "x.jsonl"))
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_failure_midway_leaves_no_file_behind(tmp_path: Path, monkeypatch) -> None:
    from evalsuite.clrs import generate

    def broken_render(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(generate, "render_all", broken_render)
    out = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError):
        main(["generate", "--algorithms", "bfs", "--lengths", "5", "-o", str(out)])
    assert os.listdir(tmp_path) == []


def test_output_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl"
    assert main(["generate", "--algorithms", "minimum", "--lengths", "4", "-o", str(out)]) == 0
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
