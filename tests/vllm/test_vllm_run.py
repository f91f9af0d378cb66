"""`evalsuite run --model vllm/gemma-3-270m --device cpu`: the whole job through vLLM's CPU build."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.vllm


def test_a_small_grid_runs_end_to_end_through_the_cpu_engine(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "evalsuite", "run", "--model", "vllm/gemma-3-270m", "--device", "cpu",
         "--algorithms", "insertion_sort,minimum", "--lengths", "4", "--seeds", "0", "--samples", "2",
         "--style", "zero-shot", "few-shot", "--mode", "completion", "chat",
         "--max-model-len", "1024", "--kv-cache-gib", "0.5",
         "--cache", str(tmp_path / "responses.sqlite"), "--out", str(out)],
        capture_output=True, text=True, timeout=1200, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == 2 * 2 * 2 * 2
    assert {row["model"] for row in rows} == {"vllm/gemma-3-270m"}
    assert not any(row["error"] for row in rows)
    assert all(row["output_tokens"] > 0 and row["input_tokens"] > 0 for row in rows)
    assert {row["finish_reason"] for row in rows} <= {"stop", "length"}
    assert all(row["exact_flexible"] in (0, 1, True, False) for row in rows)
    assert "insertion_sort" in result.stdout and "minimum" in result.stdout
    assert json.loads((out / "manifest.json").read_text())["totals"]["failed"] == 0
