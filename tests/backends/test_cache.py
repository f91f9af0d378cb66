"""The response cache: keys that tell requests apart, hits, resumption, sharing one file."""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from fake_api import OPENAI_CHAT, error_reply
from harness import FAST, chat, run, tuned

from evalsuite.backends import load_backend
from evalsuite.backends.base import Completion, GenerationParams, Request
from evalsuite.backends.cache import ResponseCache, default_cache_path, request_key
from evalsuite.errors import EvalsuiteError
from evalsuite.prompts.record import Message

IDENTITY = {"provider": "openai", "model": "gpt-4o-mini", "base_url": None}
BASE = Request(text=None, messages=(Message("user", "Sort [3 1 2]."),),
               params=GenerationParams(max_tokens=64, temperature=0.0, stop=("\n\n",), seed=1))


def cached_model(api, path: Path):
    return load_backend("openai/m", tuned(FAST, base_url=api.base_url, cache=path))


def test_the_same_request_has_the_same_key():
    again = Request(text=None, messages=(Message("user", "Sort [3 1 2]."),),
                    params=GenerationParams(max_tokens=64, temperature=0.0, stop=("\n\n",), seed=1))
    assert request_key(IDENTITY, "chat.completions", BASE) == \
        request_key(dict(reversed(IDENTITY.items())), "chat.completions", again)


def test_the_key_changes_when_anything_that_decides_the_answer_changes():
    def params(**changes) -> Request:
        return dataclasses.replace(BASE, params=dataclasses.replace(BASE.params, **changes))

    variants = [
        (IDENTITY, "chat.completions", BASE),
        ({**IDENTITY, "provider": "anthropic"}, "chat.completions", BASE),
        ({**IDENTITY, "model": "gpt-4o"}, "chat.completions", BASE),
        ({**IDENTITY, "base_url": "http://127.0.0.1:8000/v1"}, "chat.completions", BASE),
        (IDENTITY, "completions", BASE),
        (IDENTITY, "chat.completions", dataclasses.replace(BASE, messages=(Message("system", "Sort [3 1 2]."),))),
        (IDENTITY, "chat.completions", dataclasses.replace(BASE, messages=(Message("user", "Sort [3 1 2]"),))),
        (IDENTITY, "chat.completions", dataclasses.replace(BASE, text="Sort [3 1 2].", messages=None)),
        (IDENTITY, "chat.completions", params(max_tokens=65)),
        (IDENTITY, "chat.completions", params(temperature=0.1)),
        (IDENTITY, "chat.completions", params(stop=("\n",))),
        (IDENTITY, "chat.completions", params(stop=())),
        (IDENTITY, "chat.completions", params(seed=2)),
        (IDENTITY, "chat.completions", params(seed=None)),
    ]
    keys = {request_key(identity, endpoint, request) for identity, endpoint, request in variants}
    assert len(keys) == len(variants)


def test_a_stored_completion_comes_back_marked_cached(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    stored = Completion(text="[1 2 3]", finish_reason="stop", input_tokens=5, output_tokens=3,
                        latency_s=0.5, request_id="r1", cost_usd=0.001)
    cache.put("k", stored)
    assert cache.get("k") == dataclasses.replace(stored, cached=True)
    assert cache.get("other") is None


def test_errors_are_never_stored(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    cache.put("k", Completion(text="", error="rate_limit: HTTP 429"))
    assert cache.get("k") is None and len(cache) == 0


def test_a_rerun_is_served_from_the_cache_without_a_call(api, tmp_path):
    requests = [chat(str(i)) for i in range(3)]
    first = run(cached_model(api, tmp_path / "c.sqlite"), requests)
    second = run(cached_model(api, tmp_path / "c.sqlite"), requests)
    assert len(api.calls(OPENAI_CHAT)) == 3
    assert [c.text for c in second] == [c.text for c in first]
    assert all(c.cached for c in second) and not any(c.cached for c in first)


def test_only_the_misses_are_sent(api, tmp_path):
    run(cached_model(api, tmp_path / "c.sqlite"), [chat("a"), chat("b")])
    completions = run(cached_model(api, tmp_path / "c.sqlite"), [chat("a"), chat("c"), chat("b")])
    assert [c.cached for c in completions] == [True, False, True]
    # The misses go out concurrently, so only which prompts were sent is fixed, not their order.
    sent = Counter(call.body["messages"][0]["content"] for call in api.calls(OPENAI_CHAT))
    assert sent == Counter(["a", "b", "c"])


def test_a_run_answered_from_the_cache_imports_no_sdk(api, tmp_path):
    run(cached_model(api, tmp_path / "c.sqlite"), [chat("a"), chat("b")])
    script = (
        "import asyncio, sys\n"
        "from evalsuite.backends import BackendOptions, EngineOptions, HostedOptions, load_backend\n"
        "from evalsuite.backends.base import GenerationParams, Request\n"
        "from evalsuite.prompts.record import Message\n"
        "options = BackendOptions(cache=__import__('pathlib').Path(sys.argv[1]),\n"
        "    engines=EngineOptions(hosted=HostedOptions(base_url=sys.argv[2], max_retries=0)))\n"
        "backend = load_backend('openai/m', options)\n"
        "requests = [Request(text=None, messages=(Message('user', t),), params=GenerationParams())\n"
        "            for t in 'ab']\n"
        "async def main():\n"
        "    answers = [c async for _, c in backend.stream(requests)]\n"
        "    await backend.aclose()\n"
        "    return answers\n"
        "answers = asyncio.run(main())\n"
        "print(all(c.cached for c in answers), 'openai' in sys.modules)\n"
    )
    before = len(api.calls(OPENAI_CHAT))
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "c.sqlite"), api.base_url],
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "OPENAI_API_KEY": "sk-test"})
    assert done.stdout.split() == ["True", "False"]
    assert len(api.calls(OPENAI_CHAT)) == before


def test_a_failed_request_is_sent_again_next_time(api, tmp_path):
    api.script(OPENAI_CHAT, error_reply(400, "too long"))
    [first] = run(cached_model(api, tmp_path / "c.sqlite"), [chat()])
    [second] = run(cached_model(api, tmp_path / "c.sqlite"), [chat()])
    assert first.error and second.error is None and not second.cached


def test_an_interrupted_run_keeps_what_had_arrived(api, tmp_path):
    backend = cached_model(api, tmp_path / "c.sqlite")
    requests = [chat(str(i)) for i in range(6)]

    async def stop_after_two() -> None:
        seen = 0
        async for _ in backend.stream(requests):
            seen += 1
            if seen == 2:
                break  # as if the user pressed Ctrl-C
        await backend.aclose()

    asyncio.run(stop_after_two())
    resumed = run(cached_model(api, tmp_path / "c.sqlite"), requests)
    assert sum(c.cached for c in resumed) >= 2


def _write_many(path: str, worker: int, start, count: int) -> None:
    cache = ResponseCache(path)
    start.wait()
    for i in range(count):
        cache.put(f"shared-{i}", Completion(text=f"shared {i}"))
        cache.put(f"own-{worker}-{i}", Completion(text=f"{worker} {i}"))
    cache.close()


def test_several_processes_can_write_one_file_at_once(tmp_path):
    context = multiprocessing.get_context("fork")
    path, workers, count = str(tmp_path / "shared.sqlite"), 4, 150
    start = context.Barrier(workers)
    processes = [context.Process(target=_write_many, args=(path, w, start, count))
                 for w in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0] * workers
    assert len(ResponseCache(path)) == count + workers * count


def test_the_default_file_is_under_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_path() == tmp_path / "evalsuite" / "responses.sqlite"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_path() == Path.home() / ".cache" / "evalsuite" / "responses.sqlite"


def test_a_cache_that_cannot_be_opened_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(EvalsuiteError, match="cannot open the response cache"):
        ResponseCache(tmp_path / "file" / "c.sqlite")
