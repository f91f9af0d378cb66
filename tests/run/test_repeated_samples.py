"""`evalsuite run --samples-per-item K`: K lines per item with distinct recorded seeds, sent
to the server, cached by seed, and resumed after kill -9 with each (item, seed) once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from fake_api import OPENAI_COMPLETIONS, FakeAPI

from evalsuite.cli.main import main
from evalsuite.run.plan import sample_seed

ITEMS = ["--algorithms", "minimum,bfs", "--lengths", "4,5", "--seeds", "0", "--samples", "2", "--style", "few-shot"]
SAMPLING = ["--samples-per-item", "3", "--temperature", "0.8"]


def records(directory: Path) -> list[dict]:
    return [json.loads(line) for line in (directory / "samples.jsonl").read_text().splitlines()]


def evalsuite(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalsuite", *args], capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


@pytest.fixture
def api():
    server = FakeAPI(text="[0 0 0 0]").start()
    yield server
    server.stop()


def test_k_lines_per_item_with_distinct_recorded_seeds_that_the_server_receives(tmp_path: Path, api: FakeAPI) -> None:
    out = tmp_path / "run"
    result = evalsuite("run", "--model", "openai/tiny", "--base-url", api.base_url, *ITEMS, *SAMPLING, "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = records(out)
    assert len(rows) == 2 * 2 * 2 * 3 and len({r["key"] for r in rows}) == len(rows)
    by_item: dict[str, list[dict]] = {}
    for row in rows:
        by_item.setdefault(row["item_id"], []).append(row)
    for item, samples in by_item.items():
        assert sorted(r["sample_index"] for r in samples) == [0, 1, 2]
        assert len({r["sample_seed"] for r in samples}) == 3
        assert all(r["sample_seed"] == sample_seed(item, r["sample_index"]) for r in samples)
        assert all(r["temperature"] == 0.8 for r in samples)
    sent = Counter((call.body["prompt"], call.body["seed"]) for call in api.calls(OPENAI_COMPLETIONS))
    assert sent == Counter((r["prompt"], r["sample_seed"]) for r in rows)  # each sample sent once, with its seed
    assert "Repeated samples:" in result.stdout and "pass@3" in result.stdout


def test_samples_are_cached_by_seed(tmp_path: Path, api: FakeAPI) -> None:
    common = ["run", "--model", "openai/tiny", "--base-url", api.base_url, *ITEMS, *SAMPLING]
    assert evalsuite(*common, "--out", str(tmp_path / "first")).returncode == 0
    sent = len(api.calls(OPENAI_COMPLETIONS))
    assert sent == 24  # one entry per seed: three samples of a prompt did not collapse into one
    again = evalsuite(*common, "--out", str(tmp_path / "second"))
    assert again.returncode == 0, again.stderr
    assert len(api.calls(OPENAI_COMPLETIONS)) == sent and all(r["cached"] for r in records(tmp_path / "second"))


def test_a_random_model_gives_distinct_answers_per_seed_reproducibly(tmp_path: Path) -> None:
    common = ["run", "--model", "dummy/random", *ITEMS, *SAMPLING, "--no-cache"]
    assert main([*common, "--out", str(tmp_path / "one")]) == 0
    assert main([*common, "--out", str(tmp_path / "two")]) == 0
    one, two = records(tmp_path / "one"), records(tmp_path / "two")
    assert [r["output"] for r in one] == [r["output"] for r in two]
    bfs = [r["output"] for r in one if r["algo_name"] == "bfs"]
    assert len(set(bfs)) > len(bfs) // 3  # the samples of an item are not copies of one answer


def test_resume_after_kill_9_keeps_each_item_and_seed_once(tmp_path: Path) -> None:
    server = FakeAPI(text="[0 0 0 0]").start()
    server.hold_after(10)  # the run stalls after 10 answers: the kill lands mid-run, every time
    out = tmp_path / "run"
    arguments = [sys.executable, "-m", "evalsuite", "run", "--model", "openai/tiny", "--base-url", server.base_url,
                 *ITEMS, *SAMPLING, "--concurrency", "3", "--no-cache", "--out", str(out)]
    try:
        child = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and child.poll() is None:
            # whole lines only: the tenth may be half written when first seen
            if (out / "samples.jsonl").is_file() and (out / "samples.jsonl").read_text().count("\n") >= 10:
                break
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait()
        before = {(r["item_id"], r["sample_seed"]) for r in records(out)}
        assert len(before) == 10
        server.release()
        resumed = subprocess.run(arguments, capture_output=True, text=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr
        rows = records(out)
        pairs = Counter((r["item_id"], r["sample_seed"]) for r in rows)
        assert len(rows) == 24 and set(pairs.values()) == {1}
        assert before <= set(pairs)
        stored_before = {(r["prompt"], r["sample_seed"]) for r in rows if (r["item_id"], r["sample_seed"]) in before}
        sent = Counter((call.body["prompt"], call.body["seed"]) for call in server.calls(OPENAI_COMPLETIONS))
        assert all(sent[pair] == 1 for pair in stored_before)  # nothing answered before the kill was sent again
    finally:
        server.stop()


@pytest.mark.parametrize(("arguments", "message"), [
    (["--samples-per-item", "3"], "--samples-per-item 3 needs --temperature above 0"),
    (["--samples-per-item", "3", "--temperature", "0"], "--samples-per-item 3 needs --temperature above 0"),
    (["--samples-per-item", "0", "--temperature", "0.5"], "--samples-per-item must be 1 or more, got 0"),
    (["--samples-per-item", "two"], "--samples-per-item: 'two' is not a whole number"),
])
def test_bad_samples_per_item_is_one_line_and_exit_2(tmp_path: Path, arguments: list[str], message: str) -> None:
    result = evalsuite("run", "--model", "dummy/oracle", *ITEMS, *arguments, "--out", str(tmp_path / "run"))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "run").exists()


def test_one_sample_per_item_keeps_the_plain_keys_and_sends_no_seed(tmp_path: Path, api: FakeAPI) -> None:
    out = tmp_path / "run"
    result = evalsuite("run", "--model", "openai/tiny", "--base-url", api.base_url, *ITEMS, "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = records(out)
    assert len(rows) == 8 and all(r["sample_index"] == 0 and r["sample_seed"] is None for r in rows)
    assert all("sample=" not in r["key"] for r in rows)
    assert all("seed" not in call.body for call in api.calls(OPENAI_COMPLETIONS))


def test_a_run_recorded_before_samples_per_item_existed_resumes(tmp_path: Path) -> None:
    out = tmp_path / "run"
    common = ["run", "--model", "dummy/oracle", *ITEMS, "--no-cache", "--out", str(out)]
    assert main(common) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["config"]["samples_per_item"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    again = evalsuite(*common)
    assert again.returncode == 0, again.stderr
    assert "8 samples (8 already done" in again.stderr
    changed = evalsuite(*common, "--samples-per-item", "2", "--temperature", "0.5")
    assert changed.returncode == 2 and "samples_per_item: 1 there, 2 now" in changed.stderr
