"""What backend tests share: fast options, the providers on the fake server, running a batch."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence

from fake_api import FakeAPI

from evalsuite.backends import (
    Backend,
    BackendOptions,
    EngineOptions,
    HostedOptions,
    load_backend,
)
from evalsuite.backends.base import Completion, GenerationParams, Request
from evalsuite.prompts.record import Message

# Short prompts of several kinds, for the local engines.
PROMPTS = (
    "Sort the list: 5 3 9 1\nSorted:",
    "Count: 1, 2, 3, 4, 5,",
    "Question: which nodes does BFS from 0 visit in the graph 0-1, 1-2, 2-3?\nAnswer:",
    "The capital of France is",
    "a b c d e f g h i j k",
    "Insertion sort of [4, 2, 7, 1, 9, 3] step by step:",
)
OPENAI_KEY = "sk-test-0123456789abcdefSECRET"
ANTHROPIC_KEY = "sk-ant-test-0123456789SECRET"

# Tiny waits so that retries cost milliseconds; no cache unless a test asks for one.
FAST = BackendOptions(cache=None, engines=EngineOptions(
    hosted=HostedOptions(timeout=2.0, initial_backoff=0.01, max_backoff=0.05)))


def tuned(options: BackendOptions, cache=dataclasses.MISSING, **hosted: object) -> BackendOptions:
    """`options` with some hosted-API options (and the cache file) changed."""
    engines = dataclasses.replace(
        options.engines, hosted=dataclasses.replace(options.engines.hosted, **hosted))
    changed = dataclasses.replace(options, engines=engines)
    return changed if cache is dataclasses.MISSING else dataclasses.replace(changed, cache=cache)


@dataclasses.dataclass(frozen=True)
class Provider:
    """How a test reaches one provider on the fake server."""

    name: str
    path: str
    transport: str = "aiohttp"  # the HTTP client under the SDK

    def model(self, api: FakeAPI, options: BackendOptions = FAST, model: str = "m") -> Backend:
        url = api.base_url if self.name == "openai" else api.root_url
        return load_backend(f"{self.name}/{model}", tuned(options, base_url=url, transport=self.transport))


def chat(content: str = "Sort [3 1 2].", **params: object) -> Request:
    return Request(text=None, messages=(Message("user", content),),
                   params=GenerationParams(**params))


def run(backend: Backend, requests: Sequence[Request], close: bool = True) -> list[Completion]:
    """Complete a batch and return the completions in request order."""

    async def collect() -> list[Completion]:
        completions: list[Completion | None] = [None] * len(requests)
        try:
            async for position, completion in backend.stream(requests):
                completions[position] = completion
        finally:
            if close:
                await backend.aclose()
        assert all(c is not None for c in completions)
        return completions  # type: ignore[return-value]

    return asyncio.run(collect())
