"""Client processes: a hosted model served by several worker processes, the parent keeping
every result, the budget and the one-line errors."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections import Counter

import pytest
from fake_api import OPENAI_CHAT, Reply, error_reply
from harness import FAST, chat, run, tuned

from evalsuite.backends import load_backend, workers
from evalsuite.backends.hosted import client_processes
from evalsuite.backends.options import HostedOptions
from evalsuite.backends.workers import WorkerPool
from evalsuite.errors import EvalsuiteError


def pooled(api, model: str = "m", **changes):
    options = tuned(FAST, base_url=api.base_url, **{"client_processes": 2, **changes})
    backend = load_backend(f"openai/{model}", options)
    assert isinstance(backend, WorkerPool)
    return backend


def test_every_request_is_answered_once_by_one_of_the_processes(api):
    completions = run(pooled(api, concurrency=4), [chat(str(i)) for i in range(30)])
    assert all(c.error is None and c.text == "[1 2 3]" for c in completions)
    sent = Counter(call.body["messages"][0]["content"] for call in api.calls(OPENAI_CHAT))
    assert sent == Counter(str(i) for i in range(30))


def test_retries_and_failures_happen_in_the_processes_as_in_one(api):
    api.script(OPENAI_CHAT, error_reply(429, **{"retry-after-ms": "10"}), error_reply(500),
               Reply(drop=True), Reply(body=b"{not json"), error_reply(400, "prompt is too long"))
    completions = run(pooled(api, concurrency=2), [chat(str(i)) for i in range(8)])
    errors = [c.error for c in completions if c.error]
    assert errors == ["rejected: HTTP 400: prompt is too long"]


def test_a_fatal_error_in_a_process_stops_the_run_with_one_line(api):
    api.script(OPENAI_CHAT, error_reply(401, "bad key"))
    with pytest.raises(EvalsuiteError, match="HTTP 401") as raised:
        run(pooled(api, concurrency=2), [chat(str(i)) for i in range(10)])
    assert "\n" not in str(raised.value)


def test_the_budget_is_kept_by_the_parent_across_processes(api):
    # gpt-4o: 11 input and 7 output tokens cost 0.0000975 USD a request.
    completions = run(pooled(api, "gpt-4o", concurrency=2, max_cost=0.00025), [chat(str(i)) for i in range(40)])
    answered = [c for c in completions if c.error is None]
    assert 3 <= len(answered) < 40
    assert all(c.error.startswith("budget") for c in completions if c.error)
    assert len(api.calls(OPENAI_CHAT)) == len(answered)


def test_a_process_that_dies_is_one_clear_error(api):
    api.hold_after(3)  # the run stalls here until the process is gone
    backend = pooled(api, concurrency=2)
    kill_when_held(api, backend._workers[0].process.pid, held_after=3)
    with pytest.raises(EvalsuiteError, match="client process stopped unexpectedly"):
        run(backend, [chat(str(i)) for i in range(20)])
    api.release()


def forked(api, monkeypatch, processes: int, **changes) -> tuple[WorkerPool, list[int]]:
    """A pool started as on Linux outside tests (whose fake server is a thread, so pools are
    spawned there), and the processes its first process forked."""
    monkeypatch.setattr(workers, "_start_method", lambda: "fork")
    backend = pooled(api, client_processes=processes, **changes)
    first = backend._workers[0].process.pid
    wait_until(lambda: len(children_of(first)) == processes - 1, seconds=10)
    return backend, children_of(first)


def children_of(pid: int) -> list[int]:
    """Live processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.isdigit() and int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found


def running(pids: list[int]) -> list[int]:
    return [pid for pid in pids if os.path.exists(f"/proc/{pid}")]


def wait_until(condition, seconds: float) -> None:
    """Poll `condition` every 10 ms for up to `seconds` (the caller asserts what it needs)."""
    for _ in range(int(seconds * 100)):
        if condition():
            return
        threading.Event().wait(0.01)


def kill_when_held(api, pid: int, held_after: int) -> None:
    """SIGKILL `pid` from a thread once the server holds a request (`api.hold_after(held_after)`)."""
    def kill() -> None:
        while len(api.received) <= held_after:
            threading.Event().wait(0.01)
        os.kill(pid, signal.SIGKILL)

    threading.Thread(target=kill, daemon=True).start()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="processes fork on Linux only")
def test_forked_processes_come_from_the_first_answer_once_and_are_gone_after(api, monkeypatch):
    backend, others = forked(api, monkeypatch, 3, concurrency=6)
    assert len(others) == 2  # forked by the first, which imported the SDK for them
    completions = run(backend, [chat(str(i)) for i in range(30)])
    assert all(c.error is None and c.text == "[1 2 3]" for c in completions)
    sent = Counter(call.body["messages"][0]["content"] for call in api.calls(OPENAI_CHAT))
    assert sent == Counter(str(i) for i in range(30))
    assert backend._workers[0].process.exitcode == 0  # it waited for the ones it forked
    assert not running(others)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="processes fork on Linux only")
def test_a_forked_process_that_dies_is_one_clear_error(api, monkeypatch):
    api.hold_after(3)
    backend, others = forked(api, monkeypatch, 2, concurrency=2)
    kill_when_held(api, others[0], held_after=3)
    with pytest.raises(EvalsuiteError, match="client process stopped unexpectedly; run again") as raised:
        run(backend, [chat(str(i)) for i in range(20)])
    assert "\n" not in str(raised.value)
    api.release()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="processes fork on Linux only")
def test_forked_processes_never_given_work_stop_with_the_first(api, monkeypatch):
    backend, others = forked(api, monkeypatch, 2)
    backend.terminate()
    wait_until(lambda: not running(others), seconds=5)
    assert not running(others)
    assert api.received == []


def test_the_number_of_processes_follows_the_concurrency_unless_given(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert client_processes(HostedOptions(concurrency=16)) == 1
    assert client_processes(HostedOptions(concurrency=64)) == 2
    assert client_processes(HostedOptions(concurrency=512)) == 4
    assert client_processes(HostedOptions(concurrency=512, client_processes=1)) == 1
