"""`evalsuite run` end to end: oracle scores, a local OpenAI-compatible server, resume after
kill -9, failures retried, shards equal to the whole."""

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
from fake_api import OPENAI_COMPLETIONS, FakeAPI, error_reply

from evalsuite.cli.main import main
from evalsuite.report import load_results, summarise

SMALL = ["--algorithms", "bfs,minimum,insertion_sort", "--lengths", "4,5", "--seeds", "0", "--samples", "2"]


def records(directory: Path) -> list[dict]:
    return [json.loads(line) for line in (directory / "samples.jsonl").read_text().splitlines()]


def evalsuite(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalsuite", *args], capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture
def api():
    server = FakeAPI(text="[0 0 0 0]").start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def test_oracle_scores_one_everywhere_and_the_run_is_recorded(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert main(["run", "--model", "dummy/oracle", *SMALL, "--style", "zero-shot", "few-shot", "trace",
                 "--mode", "completion", "chat", "--out", str(out)]) == 0
    rows = records(out)
    assert len(rows) == 3 * 2 * 2 * 3 * 2
    assert all(r["exact_strict"] and r["exact_flexible"] and r["elementwise"] == 1.0 for r in rows)
    assert all(r["trace_prefix"] == 1.0 for r in rows if r["style"] == "trace")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["models"] == ["dummy/oracle"] and manifest["finished"]
    assert manifest["totals"]["requests"] == len(rows) and manifest["totals"]["failed"] == 0
    assert set(manifest["templates"]) == {"completion.j2", "chat_single.j2"}
    assert "evalsuite" in manifest["versions"] and manifest["seeds"] == [0]
    assert (out / "summary.csv").read_text().startswith("algo_name,length,ood,")
    sample = rows[0]
    for field in ("algo_name", "length", "seed", "index", "use_hints", "model", "style", "shots", "mode",
                  "prompt", "output", "finish_reason", "input_tokens", "output_tokens", "latency_s",
                  "cost_usd", "cached", "error", "exact_flexible"):
        assert field in sample


def test_local_openai_compatible_server_and_no_secret_in_results(tmp_path: Path, api: FakeAPI) -> None:
    out = tmp_path / "run"
    result = evalsuite("run", "--model", "openai/tiny", "--base-url", api.base_url, *SMALL, "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = records(out)
    assert len(rows) == 24 and len(api.calls(OPENAI_COMPLETIONS)) == 24
    assert api.calls(OPENAI_COMPLETIONS)[0].body["stop"] == ["\n\n"]
    for path in out.iterdir():
        assert "sk-test-not-a-real-key" not in path.read_text()
    again = evalsuite("run", "--model", "openai/tiny", "--base-url", api.base_url, *SMALL, "--out", str(out))
    assert again.returncode == 0 and len(api.calls(OPENAI_COMPLETIONS)) == 24  # nothing sent twice
    assert len(records(out)) == 24


def test_resume_after_kill_9_keeps_every_item_once_and_resends_nothing_answered(tmp_path: Path) -> None:
    server = FakeAPI(text="[0 0 0 0]").start()
    server.hold_after(24)  # the run stalls after 24 answers, so the kill lands mid-run
    out = tmp_path / "run"
    arguments = [sys.executable, "-m", "evalsuite", "run", "--model", "openai/tiny", "--base-url", server.base_url,
                 "--algorithms", "minimum,bfs", "--lengths", "4-7", "--samples", "4", "--concurrency", "2",
                 "--out", str(out)]
    try:
        child = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and child.poll() is None:
            if (out / "samples.jsonl").is_file() and (out / "samples.jsonl").read_bytes().count(b"\n") >= 24:
                break
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait()
        stored_before = {r["prompt"] for r in records(out)}
        assert len(stored_before) == 24
        server.release()
        resumed = subprocess.run(arguments, capture_output=True, text=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr
        rows = records(out)
        assert len(rows) == 2 * 4 * 4 * 2 and len({r["key"] for r in rows}) == len(rows)
        sent = Counter(call.body["prompt"] for call in server.calls(OPENAI_COMPLETIONS))
        assert all(sent[prompt] == 1 for prompt in stored_before)
    finally:
        server.stop()


def test_failures_are_recorded_then_only_they_are_retried(tmp_path: Path, api: FakeAPI) -> None:
    api.script(OPENAI_COMPLETIONS, *[error_reply(500)] * 6)  # the first request fails for good
    out = tmp_path / "run"
    common = ["run", "--model", "openai/tiny", "--base-url", api.base_url, *SMALL, "--concurrency", "1",
              "--max-retries", "2", "--out", str(out)]
    first = evalsuite(*common)
    assert first.returncode == 1
    assert "failed after retries" in first.stderr and "server_error" in first.stderr
    failed = [r for r in records(out) if r["error"]]
    assert len(failed) == 2
    sent = len(api.calls(OPENAI_COMPLETIONS))
    second = evalsuite(*common)
    assert second.returncode == 0, second.stderr
    assert len(api.calls(OPENAI_COMPLETIONS)) == sent + 2
    rows = records(out)
    assert len(rows) == 24 and not any(r["error"] for r in rows)


def test_over_context_rejections_say_what_to_change_not_to_run_again(tmp_path: Path, api: FakeAPI) -> None:
    message = "max_tokens=81980 cannot be greater than max_model_len=2048"
    api.script(OPENAI_COMPLETIONS, error_reply(400, message), error_reply(500), error_reply(500))
    out = tmp_path / "run"
    result = evalsuite("run", "--model", "openai/tiny", "--base-url", api.base_url, *SMALL,
                       "--concurrency", "1", "--max-retries", "1", "--out", str(out),
                       env={**os.environ, "OPENAI_API_KEY": "x"})
    assert result.returncode == 1
    [rejected] = [r["error"] for r in records(out) if r["error"] and r["error"].startswith("rejected")]
    assert rejected == f"rejected: HTTP 400: {message}"  # the placeholder key mangled nothing
    lines = result.stderr.splitlines()
    [retry] = [line for line in lines if "run again" in line]
    assert retry.startswith("evalsuite: 1 sample failed after retries (server_error 1)")
    [context] = [line for line in lines if "fit the model's context" in line]
    assert context.startswith("evalsuite: 1 sample does not fit")
    assert "--max-tokens" in context and "run again" not in context


def test_a_run_whose_only_failures_are_rejections_never_suggests_a_retry(tmp_path: Path, api: FakeAPI) -> None:
    api.script(OPENAI_COMPLETIONS, error_reply(400, "content refused"))
    result = evalsuite("run", "--model", "openai/tiny", "--base-url", api.base_url, *SMALL,
                       "--concurrency", "1", "--out", str(tmp_path / "run"))
    assert result.returncode == 1
    assert "run again" not in result.stderr
    assert "1 sample was rejected by the model" in result.stderr


def test_shards_merge_equal_to_an_unsharded_run(tmp_path: Path) -> None:
    common = ["run", "--model", "dummy/random", *SMALL, "--style", "few-shot", "--no-cache"]
    assert main([*common, "--out", str(tmp_path / "whole")]) == 0
    for shard in ("1/3", "2/3", "3/3"):
        assert main([*common, "--shard", shard, "--out", str(tmp_path / shard.replace("/", "of"))]) == 0
    whole = summarise(load_results([tmp_path / "whole"]), ["algorithm", "length"], "elementwise")
    merged = summarise(load_results([tmp_path / s for s in ("1of3", "2of3", "3of3")]), ["algorithm", "length"], "elementwise")
    assert merged.equals(whole)

    def keys(directory: Path) -> list[str]:
        return sorted(r["key"] for r in records(directory))

    assert sorted(sum((keys(tmp_path / s) for s in ("1of3", "2of3", "3of3")), [])) == keys(tmp_path / "whole")


def test_config_file_describes_a_grid_and_options_override_it(tmp_path: Path) -> None:
    config = tmp_path / "grid.toml"
    config.write_text('[run]\nmodels = ["dummy/oracle", "dummy/random"]\nstyles = ["few-shot"]\nshots = [1, 2]\n'
                      'algorithms = "minimum"\nlengths = [4, 5]\nsamples = 1\ncache = "none"\n')
    out = tmp_path / "run"
    assert main(["run", "--config", str(config), "--lengths", "6", "--out", str(out)]) == 0
    rows = records(out)
    assert {(r["model"], r["shots"], r["length"]) for r in rows} == {
        (m, s, 6) for m in ("dummy/oracle", "dummy/random") for s in (1, 2)}


def test_dataset_file_is_evaluated_instead_of_generating(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    assert main(["generate", "--algorithms", "minimum,bfs", "--lengths", "5", "--samples", "3", "-o", str(data)]) == 0
    out = tmp_path / "run"
    assert main(["run", "--model", "dummy/oracle", "--dataset", str(data), "--style", "zero-shot", "--no-cache",
                 "--out", str(out)]) == 0
    rows = records(out)
    assert len(rows) == 6 and all(r["exact_strict"] for r in rows)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--model", "openai/gpt-4o-mini"], "needs an API key: set OPENAI_API_KEY"),
        (["--model", "openai/tiny", "--base-url", "http://127.0.0.1:9/v1"], "is unreachable"),
        (["--model", "nope/x"], "unknown model 'nope/x'"),
        (["--config", "{bad}"], "--config"),
        (["--shard", "3/2"], "--shard I/N needs 1 <= I <= N"),
        (["--model", "dummy/oracle", "--threads", "2"], "--threads is an option of llamacpp/ models"),
        (["--model", "openai/tiny", "--base-url", "http://127.0.0.1:9/v1", "--batch-size", "4"],
         "--batch-size is an option of hf/, llamacpp/ models"),
        (["--model", "dummy/oracle", "hf/gemma-3-270m", "--dtype", "float8", "--dry-run"], "unknown --dtype 'float8'"),
    ],
)
def test_bad_input_stops_before_anything_is_sent(tmp_path: Path, arguments: list, message: str) -> None:
    if "--config" in arguments:
        bad = tmp_path / "bad.toml"
        bad.write_text("models = [unclosed")
        arguments = ["--config", str(bad)]
    environment = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    result = evalsuite("run", *arguments, "--out", str(tmp_path / "run"), env=environment)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "run").exists()


def test_out_directory_with_another_configuration_names_the_fields(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert main(["run", "--model", "dummy/oracle", *SMALL, "--no-cache", "--out", str(out)]) == 0
    result = evalsuite("run", "--model", "dummy/oracle", *SMALL, "--samples", "3", "--no-cache", "--out", str(out))
    assert result.returncode == 2 and "samples: 2 there, 3 now" in result.stderr


def test_options_are_never_abbreviations_of_other_options(tmp_path: Path) -> None:
    result = evalsuite("run", "--model", "dummy/oracle", "--concurr", "2", "--out", str(tmp_path / "run"))
    assert result.returncode == 2 and "unrecognized arguments: --concurr" in result.stderr
    assert not (tmp_path / "run").exists()
