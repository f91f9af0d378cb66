"""`evalsuite run --batch` end to end: the real SDKs' batch calls against the fake server's
batch endpoints; kill -9, Ctrl-C, cancel, per-item failures, limits, budget, prices."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_api import FakeAPI

from evalsuite.backends.batch_journal import BatchJournal
from evalsuite.cli.main import main

OPENAI_KEY = "sk-test-batch-0123456789SECRET"
ANTHROPIC_KEY = "sk-ant-test-batch-0123456789SECRET"
SMALL = ["--algorithms", "bfs,minimum,insertion_sort", "--lengths", "4", "--seeds", "0", "--samples", "2"]
UNITS = 3 * 2 * 2  # algorithms x samples x styles (zero-shot, few-shot)


@pytest.fixture
def api():
    server = FakeAPI(text="[0 0 0 0]").start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)


def batch_run(api: FakeAPI, provider: str, out: Path, *extra: str) -> list[str]:
    url = api.base_url if provider == "openai" else api.root_url
    return ["run", "--model", f"{provider}/tiny", "--base-url", url, *SMALL, "--batch",
            "--batch-poll", "0.02", "--out", str(out), *extra]


def records(directory: Path) -> list[dict]:
    return [json.loads(line) for line in (directory / "samples.jsonl").read_text().splitlines()]


def evalsuite(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalsuite", *args], capture_output=True, text=True, timeout=300)


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "evalsuite", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_batches(out: Path, child: subprocess.Popen, count: int = 1) -> None:
    """Until the run has recorded `count` batches in its journal (the event a kill follows)."""
    deadline = time.monotonic() + 120
    while len(list((out / "batches").glob("*.json"))) < count:
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_run_by_batch_scores_every_item_once_and_writes_no_key(tmp_path: Path, api: FakeAPI, provider: str) -> None:
    out = tmp_path / "run"
    assert main(batch_run(api, provider, out, "--mode", "chat", "completion")) == 0
    rows = records(out)
    assert len(rows) == 2 * UNITS and len({r["key"] for r in rows}) == len(rows)
    assert all(r["error"] is None and r["exact_flexible"] is not None and r["batch_id"] for r in rows)
    assert sorted(api.batches.submitted.values()) == [1] * len(rows)  # each request once
    assert len(api.batches.sizes()) == (2 if provider == "openai" else 1)  # one endpoint per OpenAI batch
    if provider == "openai":
        assert {u["purpose"] for u in api.batches.uploads} == {"batch"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["totals"]["batch_requests"] == len(rows)
    assert all(b["collected"] for b in manifest["batches"])
    assert api.batch_keys == {f"Bearer {OPENAI_KEY}"} if provider == "openai" else {ANTHROPIC_KEY}
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert OPENAI_KEY not in text and ANTHROPIC_KEY not in text and "SECRET" not in text


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_errored_and_expired_items_are_resubmitted_then_scored(tmp_path: Path, api: FakeAPI, provider: str) -> None:
    api.batches.script("errored", "expired", "succeeded", "errored")
    out = tmp_path / "run"
    assert main(batch_run(api, provider, out)) == 0
    rows = records(out)
    assert len(rows) == UNITS and not any(r["error"] for r in rows)
    assert sorted(api.batches.submitted.values()) == [1] * (UNITS - 3) + [2] * 3
    assert api.batches.sizes() == [UNITS, 3]
    assert [r.round for r in BatchJournal(out).records()] == [0, 1]


def test_items_failing_every_round_are_recorded_then_a_rerun_retries_only_them(tmp_path: Path, api: FakeAPI) -> None:
    api.batches.script("errored", "rejected", *["succeeded"] * (UNITS - 2), "errored")
    out = tmp_path / "run"
    arguments = batch_run(api, "openai", out, "--max-retries", "1")
    first = evalsuite(*arguments)
    assert first.returncode == 1
    assert "1 sample failed after retries (server_error 1); run again" in first.stderr
    assert "1 sample was rejected by the model" in first.stderr
    errors = sorted(r["error"] for r in records(out) if r["error"])
    assert errors[0].startswith("rejected: HTTP 400") and "gave up" not in errors[0]
    assert errors[1].startswith("server_error:") and errors[1].endswith("(gave up after 2 batch rounds)")
    assert api.batches.sizes() == [UNITS, 1]  # the rejected one is not resubmitted
    second = evalsuite(*arguments)
    assert second.returncode == 0, second.stderr
    assert api.batches.sizes() == [UNITS, 1, 2]
    rows = records(out)
    assert len(rows) == UNITS and not any(r["error"] for r in rows)


def test_a_batch_that_fails_as_a_whole_is_resubmitted(tmp_path: Path, api: FakeAPI) -> None:
    api.batches.fail_next_batch()
    out = tmp_path / "run"
    assert main(batch_run(api, "openai", out)) == 0
    assert api.batches.sizes() == [UNITS, UNITS]
    assert len(records(out)) == UNITS and not any(r["error"] for r in records(out))


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_kill_9_right_after_a_batch_is_created_then_the_same_command_reattaches(
        tmp_path: Path, api: FakeAPI, provider: str) -> None:
    api.batches.hold()  # the batch stays in progress: the kill lands while the run waits
    out = tmp_path / "run"
    arguments = batch_run(api, provider, out)
    child = start(*arguments)
    wait_for_batches(out, child)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert api.batches.sizes() == [UNITS] and not (out / "samples.jsonl").read_text()
    direct = [argument for argument in arguments if argument != "--batch"]
    refused = evalsuite(*direct)  # the same run without --batch would send them again
    assert refused.returncode == 2 and "has 1 batches not yet read" in refused.stderr
    api.batches.finish()
    resumed = evalsuite(*arguments)
    assert resumed.returncode == 0, resumed.stderr
    assert api.batches.sizes() == [UNITS]  # re-attached: nothing submitted again
    rows = records(out)
    assert len(rows) == UNITS and len({r["key"] for r in rows}) == UNITS
    assert sorted(api.batches.submitted.values()) == [1] * UNITS
    again = evalsuite("run", "--resume", str(out))  # a finished run submits nothing
    assert again.returncode == 0, again.stderr
    assert api.batches.sizes() == [UNITS] and len(records(out)) == UNITS


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_kill_9_while_results_are_read_loses_nothing_and_reads_only_the_rest(
        tmp_path: Path, api: FakeAPI, provider: str) -> None:
    api.batches.hold_results_after(5)
    out = tmp_path / "run"
    arguments = batch_run(api, provider, out)
    child = start(*arguments)
    deadline = time.monotonic() + 120
    samples = out / "samples.jsonl"
    while not samples.is_file() or samples.read_bytes().count(b"\n") < 5:
        assert child.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    before = {r["key"] for r in records(out)}
    assert len(before) == 5
    api.batches.results_hold = None
    api.batches.release_results()
    resumed = evalsuite(*arguments)
    assert resumed.returncode == 0, resumed.stderr
    rows = records(out)
    assert len(rows) == UNITS and len({r["key"] for r in rows}) == UNITS
    assert api.batches.sizes() == [UNITS]  # read again, not submitted again
    assert sorted(api.batches.submitted.values()) == [1] * UNITS


def test_ctrl_c_stops_waiting_without_cancelling_and_cancel_then_rerun_finishes(tmp_path: Path, api: FakeAPI) -> None:
    api.batches.hold()
    out = tmp_path / "run"
    arguments = batch_run(api, "anthropic", out)
    child = start(*arguments)
    wait_for_batches(out, child)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == 130
    assert f"Resume with: evalsuite run --resume {out}" in stderr and not api.batches.cancelled
    cancelled = evalsuite("run", "--resume", str(out), "--batch-cancel")
    assert cancelled.returncode == 0, cancelled.stderr
    assert api.batches.cancelled == ["batch_0001"] and "cancelled 1 batches" in cancelled.stdout
    api.batches.finish()
    rerun = evalsuite("run", "--resume", str(out))
    assert rerun.returncode == 0, rerun.stderr
    assert api.batches.sizes() == [UNITS, UNITS]  # the cancelled requests, submitted again
    assert len(records(out)) == UNITS and not any(r["error"] for r in records(out))


def test_requests_split_at_the_request_limit(tmp_path: Path, api: FakeAPI) -> None:
    api.batches.max_items = 5  # the server refuses larger batches
    out = tmp_path / "run"
    assert main(batch_run(api, "anthropic", out, "--batch-limit", "5")) == 0
    assert api.batches.sizes() == [5, 5, 2]
    assert len(records(out)) == UNITS


def test_requests_split_at_the_byte_limit(tmp_path: Path, api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from evalsuite.backends.batch_apis import OpenAIBatches

    out = tmp_path / "run"
    monkeypatch.setattr(OpenAIBatches, "max_bytes", 700)
    assert main(batch_run(api, "openai", out, "--style", "zero-shot")) == 0
    sizes = api.batches.sizes()
    assert len(sizes) > 1 and sum(sizes) == UNITS // 2
    assert all(len(content) <= 700 for name, content in api.batches.files.items()
               if not name.startswith("file-batch"))  # the uploaded input files


def test_answers_in_the_cache_are_not_sent(tmp_path: Path, api: FakeAPI) -> None:
    assert main(batch_run(api, "openai", tmp_path / "first")) == 0
    assert main(batch_run(api, "openai", tmp_path / "second")) == 0
    assert api.batches.sizes() == [UNITS]
    assert all(r["cached"] for r in records(tmp_path / "second"))


def test_max_cost_counts_each_batch_at_its_upper_bound(tmp_path: Path, api: FakeAPI) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text('[openai]\n"tiny" = { input = 1000.0, output = 1000.0 }\n')
    out = tmp_path / "run"
    code = main(batch_run(api, "openai", out, "--prices", str(prices), "--max-cost", "0.2",
                          "--batch-limit", "2"))
    assert code == 1
    batches = json.loads((out / "manifest.json").read_text())["batches"]
    assert 0 < sum(b["requests"] for b in batches) < UNITS
    assert sum(b["upper_bound_usd"] for b in batches) <= 0.2
    unsent = [r for r in records(out) if r["error"]]
    assert unsent and all(r["error"].startswith("budget:") for r in unsent)
    spent = sum(r["cost_usd"] for r in records(out) if not r["error"])
    assert 0 < spent <= 0.2


def test_dry_run_by_batch_estimates_at_batch_prices(capsys: pytest.CaptureFixture) -> None:
    common = ["run", "--model", "openai/gpt-4o-mini", *SMALL, "--dry-run"]
    assert main(common) == 0
    standard = capsys.readouterr().out
    assert main([*common, "--batch"]) == 0
    batch = capsys.readouterr().out
    def cost(text: str) -> float:
        return float(text.split("cost <= $")[1].split()[0])

    assert "at batch prices" in batch and cost(batch) == pytest.approx(cost(standard) / 2, abs=1e-4)


@pytest.mark.parametrize(("models", "message"), [
    (["dummy/oracle"], "--batch: dummy/oracle has no batch API"),
    (["openai/tiny", "dummy/oracle"], "--batch: dummy/oracle has no batch API"),
    (["openai/tiny", "hf/gemma-3-270m"], "--batch: hf/gemma-3-270m has no batch API"),
])
def test_batch_with_a_provider_without_a_batch_api_is_one_line(tmp_path: Path, models: list, message: str) -> None:
    result = evalsuite("run", "--model", *models, "--batch", "--out", str(tmp_path / "run"))
    assert result.returncode == 2 and message in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "run").exists()


def test_a_server_without_a_batch_api_is_one_line(tmp_path: Path) -> None:
    server = FakeAPI().start()
    # Like vLLM serve: /v1/files and /v1/batches are not found.
    server.batches.handle = lambda *args: (404, b'{"detail": "Not Found"}', "application/json")
    try:
        result = evalsuite(*batch_run(server, "openai", tmp_path / "run"))
    finally:
        server.stop()
    assert result.returncode == 2, result.stderr
    assert "has no batch API (HTTP 404 on submit)" in result.stderr and result.stderr.count("\n") == 1


def test_batch_is_not_an_abbreviation_of_batch_size(tmp_path: Path) -> None:
    result = evalsuite("run", "--model", "hf/gemma-3-270m", "--batch-s", "4", "--out", str(tmp_path / "run"))
    assert result.returncode == 2 and "unrecognized arguments: --batch-s" in result.stderr
