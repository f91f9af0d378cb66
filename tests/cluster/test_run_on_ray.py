"""`evalsuite run --ray`: the same records and scores as a run without Ray, on dummy/oracle
and on the embedded model (hf/ and llamacpp/); a driver killed with SIGKILL resumes with
nothing run twice."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from evalsuite.cli.main import main

pytestmark = pytest.mark.ray

SMALL = ["--algorithms", "bfs,minimum,insertion_sort", "--lengths", "4,5", "--seeds", "0", "--samples", "2"]
VARYING = {"latency_s"}  # how long an answer took is the one field a rerun may change


def records(directory: Path) -> list[dict]:
    rows = [json.loads(line) for line in (directory / "samples.jsonl").read_text().splitlines()]
    return sorted(({k: v for k, v in row.items() if k not in VARYING} for row in rows), key=lambda r: r["key"])


def scores(directory: Path) -> pd.DataFrame:
    """summary.csv with its columns in one order (a table's columns follow the order in which
    answers arrived, and workers answer in their own order)."""
    table = pd.read_csv(directory / "summary.csv")
    return table[sorted(table.columns)]


def test_two_workers_give_the_records_and_scores_of_a_run_without_ray(tmp_path: Path, ray_address: str) -> None:
    common = ["run", "--model", "dummy/oracle", "dummy/random", *SMALL, "--style", "zero-shot", "few-shot",
              "--mode", "completion", "chat", "--no-cache"]
    assert main([*common, "--out", str(tmp_path / "here")]) == 0
    assert main([*common, "--ray", ray_address, "--ray-workers", "2", "--out", str(tmp_path / "ray")]) == 0
    assert len(records(tmp_path / "ray")) == 2 * 24 * 2
    assert records(tmp_path / "ray") == records(tmp_path / "here")
    assert scores(tmp_path / "ray").equals(scores(tmp_path / "here"))
    manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text())
    assert manifest["config"]["ray"] == {"address": ray_address, "workers": 2}


@pytest.mark.local
def test_the_embedded_model_on_two_workers_answers_as_it_does_here(tmp_path: Path, ray_address: str) -> None:
    common = ["run", "--model", "hf/gemma-3-270m", "--algorithms", "minimum,bfs", "--lengths", "4",
              "--samples", "2", "--style", "zero-shot", "few-shot", "--max-tokens", "6", "--batch-size", "1"]
    assert main([*common, "--cache", str(tmp_path / "here.sqlite"), "--out", str(tmp_path / "here")]) == 0
    cache = str(tmp_path / "ray.sqlite")
    assert main([*common, "--cache", cache, "--ray", ray_address, "--ray-workers", "2",
                 "--out", str(tmp_path / "ray")]) == 0
    ray_rows, here_rows = records(tmp_path / "ray"), records(tmp_path / "here")
    assert len(ray_rows) == 8 and ray_rows == here_rows
    # The driver cached each answer under the key that a run without Ray uses.
    assert cached(tmp_path / "ray.sqlite") == cached(tmp_path / "here.sqlite") and len(cached(cache)) == 8


@pytest.mark.local
def test_the_default_llamacpp_model_on_two_workers_answers_as_it_does_here(tmp_path: Path, ray_address: str) -> None:
    common = ["run", "--model", "llamacpp/gemma-3-270m", "--algorithms", "minimum,bfs,insertion_sort",
              "--lengths", "4", "--samples", "2", "--style", "zero-shot", "few-shot", "--max-tokens", "8",
              "--threads", "1"]
    assert main([*common, "--cache", str(tmp_path / "here.sqlite"), "--out", str(tmp_path / "here")]) == 0
    cache = str(tmp_path / "ray.sqlite")
    assert main([*common, "--cache", cache, "--ray", ray_address, "--ray-workers", "2",
                 "--out", str(tmp_path / "ray")]) == 0
    ray_rows, here_rows = records(tmp_path / "ray"), records(tmp_path / "here")
    assert len(ray_rows) == 12 and ray_rows == here_rows
    assert any(row["output"] for row in ray_rows)
    assert cached(tmp_path / "ray.sqlite") == cached(tmp_path / "here.sqlite") and len(cached(cache)) == 12


def cached(path: str | Path) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT key, completion FROM responses").fetchall()
    return {key: json.loads(completion)["text"] for key, completion in rows}


def test_a_driver_killed_mid_run_resumes_with_nothing_run_twice(tmp_path: Path, ray_address: str) -> None:
    out = tmp_path / "run"
    arguments = [sys.executable, "-m", "evalsuite", "run", "--model", "dummy/slow", "--algorithms", "minimum,bfs",
                 "--lengths", "4-7", "--samples", "5", "--ray", ray_address, "--ray-workers", "2", "--out", str(out)]
    samples = out / "samples.jsonl"
    child = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and child.poll() is None:
        if samples.is_file() and samples.read_bytes().count(b"\n") >= 10:
            break
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    before = {row["key"] for row in records(out)}
    assert 10 <= len(before) < 80
    resumed = subprocess.run(arguments, check=False, capture_output=True, text=True, timeout=300, env=os.environ.copy())
    assert resumed.returncode == 0, resumed.stderr
    rows = records(out)
    assert len(rows) == 80 and len({row["key"] for row in rows}) == 80
    totals = re.search(r"(\d+) samples \((\d+) already done, (\d+) now", resumed.stderr)
    assert totals and [int(n) for n in totals.groups()] == [80, len(before), 80 - len(before)]


def test_a_model_the_workers_cannot_load_is_one_line_and_exit_2(ray_address: str, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture) -> None:
    assert main(["run", "--model", "dummy/nonesuch", *SMALL, "--ray", ray_address, "--ray-workers", "1",
                 "--no-cache", "--out", str(tmp_path / "run")]) == 2
    assert capsys.readouterr().err.endswith("unknown dummy model dummy/nonesuch: use dummy/oracle, dummy/random or dummy/slow\n")
