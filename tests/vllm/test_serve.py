"""The openai/ adapter against vLLM's own OpenAI-compatible server (CPU build): a server
nobody here wrote, started once for the module, with the placeholder key `x`."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from evalsuite.backends import BackendOptions, EngineOptions, HostedOptions, load_backend
from evalsuite.backends.base import Completion, GenerationParams, Request
from evalsuite.backends.failures import is_over_context
from evalsuite.prompts.record import Message

pytestmark = pytest.mark.vllm

CONTEXT = 512
SERVED = "gemma"
START_TIMEOUT_S = 900  # a bound for a hung start, far above a slow machine's load time


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def checkpoint() -> str:
    from evalsuite.backends import gemma

    return str(gemma.ensure_checkpoint())


@pytest.fixture(scope="module")
def server(checkpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server's base URL; its log is kept beside the test's temporary files."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("serve") / "vllm-serve.log"
    command = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", checkpoint,
               "--served-model-name", SERVED, "--host", "127.0.0.1", "--port", str(port),
               "--max-model-len", str(CONTEXT), "--dtype", "float32", "--enforce-eager",
               "--kv-cache-memory-bytes", str(2**29)]
    root = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, "VLLM_LOGGING_LEVEL": "WARNING"})
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not healthy(root):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"vLLM's server did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(1)
            yield f"{root}/v1"
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(autouse=True)
def placeholder_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "x")


@pytest.fixture(scope="module")
def tokenizer(checkpoint: str):
    import transformers

    return transformers.AutoTokenizer.from_pretrained(checkpoint)


def complete(base_url: str, requests: Sequence[Request]) -> list[Completion]:
    options = BackendOptions(cache=None, engines=EngineOptions(
        hosted=HostedOptions(base_url=base_url, concurrency=4, max_retries=1, timeout=300)))
    backend = load_backend(f"openai/{SERVED}", options)

    async def collect() -> list[Completion]:
        answers: list[Completion | None] = [None] * len(requests)
        try:
            async for position, completion in backend.stream(requests):
                answers[position] = completion
        finally:
            await backend.aclose()
        return answers  # type: ignore[return-value]

    return asyncio.run(collect())


def test_completion_counts_the_prompts_tokens_and_honours_max_tokens(server, tokenizer):
    prompt = "Sort the list: 5 3 9 1 7. Sorted list:"
    [answer] = complete(server, [Request(prompt, None, GenerationParams(max_tokens=6))])
    assert answer.error is None and answer.text
    assert answer.input_tokens == len(tokenizer(prompt)["input_ids"])
    assert answer.output_tokens == 6 and answer.finish_reason == "length"


def test_chat_is_rendered_by_the_models_template_on_the_server(server, tokenizer):
    content = "Sort the list: 5 3 9 1 7."
    rendered = tokenizer.apply_chat_template([{"role": "user", "content": content}], tokenize=False,
                                             add_generation_prompt=True)
    [answer] = complete(server, [Request(None, (Message("user", content),),
                                         GenerationParams(max_tokens=8))])
    assert answer.error is None
    assert answer.input_tokens == len(tokenizer(rendered, add_special_tokens=False)["input_ids"])


def test_a_stop_string_ends_the_answer_before_it(server):
    prompt = "Count: 1 2 3 4"
    [free] = complete(server, [Request(prompt, None, GenerationParams(max_tokens=16))])
    words = free.text.split()
    assert len(words) >= 3, free.text
    stop = " " + words[2]
    [stopped] = complete(server, [Request(prompt, None, GenerationParams(max_tokens=16, stop=(stop,)))])
    assert stopped.text == free.text[: free.text.index(stop)] and stopped.finish_reason == "stop"


def test_a_too_long_prompt_is_a_clear_rejection_and_the_key_x_mangles_nothing(server):
    long = Request("one two three " * 400, None, GenerationParams(max_tokens=8))
    huge = Request("Sort: 3 1 2.", None, GenerationParams(max_tokens=81_980))
    short = Request("Sort: 3 1 2.", None, GenerationParams(max_tokens=4))
    too_long, too_many, fine = complete(server, [long, huge, short])
    for rejected in (too_long, too_many):
        assert rejected.error.startswith("rejected: HTTP 400: ")
        assert is_over_context(rejected.error), rejected.error
        assert "[redacted]" not in rejected.error
    assert "81980" in too_many.error and "max" in too_many.error
    assert fine.error is None and fine.output_tokens == 4


def test_evalsuite_run_through_the_server_end_to_end(server, tmp_path: Path):
    out = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "evalsuite", "run", "--model", f"openai/{SERVED}", "--base-url", server,
         "--algorithms", "insertion_sort,minimum", "--lengths", "4", "--seeds", "0", "--samples", "2",
         "--mode", "completion", "chat", "--no-cache", "--out", str(out)],
        capture_output=True, text=True, timeout=900, check=False,
        env={**os.environ, "OPENAI_API_KEY": "x"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == 2 * 2 * 2 * 2 and not any(row["error"] for row in rows)
    assert all(row["output_tokens"] > 0 for row in rows)
