"""The Ray backend under faults: a worker killed with SIGKILL mid-run costs only what it had
not returned, and a run whose every worker dies ends with those requests failed."""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter

import pytest

from evalsuite.backends.base import Completion, Request
from evalsuite.backends.options import EngineOptions
from evalsuite.cluster.options import RayOptions

pytestmark = pytest.mark.ray


def golds(count: int) -> list[Request]:
    return [Request(f"question {i} " + "x" * (i % 7), None, gold=f"[{i}]") for i in range(count)]


def run_killing(address: str, requests: list[Request], kills: int, after: int) -> tuple[list[tuple[int, Completion]], object]:
    """Stream `requests` through two dummy/slow workers; after `after` answers, SIGKILL
    `kills` of the workers (their process ids come from the backend)."""
    from evalsuite.cluster.backend import RayBackend

    backend = RayBackend("dummy/slow", EngineOptions(), RayOptions(address, workers=2))

    async def collect() -> list[tuple[int, Completion]]:
        answers = []
        try:
            async for position, completion in backend.stream(requests):
                answers.append((position, completion))
                if len(answers) == after:
                    pids = backend.worker_pids()
                    assert len(pids) == 2
                    for pid in pids[:kills]:
                        os.kill(pid, signal.SIGKILL)
        finally:
            await backend.aclose()
        return answers

    return asyncio.run(collect()), backend


def test_a_worker_killed_mid_run_costs_only_its_unreturned_requests(ray_address: str) -> None:
    requests = golds(60)
    answers, backend = run_killing(ray_address, requests, kills=1, after=10)
    assert Counter(position for position, _ in answers) == Counter(range(60))  # each once
    assert all(c.error is None and c.text == requests[p].gold for p, c in answers)
    assert backend.requeued > 0 and len(backend.deaths) == 1


def test_when_every_worker_dies_the_rest_fail_and_the_run_ends(ray_address: str) -> None:
    requests = golds(40)
    answers, backend = run_killing(ray_address, requests, kills=2, after=6)
    assert Counter(position for position, _ in answers) == Counter(range(40))
    failed = [c for _, c in answers if c.error]
    assert failed and all(c.error.startswith("worker_lost: ") for c in failed)
    assert len(answers) - len(failed) >= 6 and len(backend.deaths) == 2
