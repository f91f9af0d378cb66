"""Hosted models (`openai/…`, `anthropic/…`): checked before anything is sent, then served
in this process or, at high concurrency, by worker processes.

Checks (API key, base URL, price for a budget) need no SDK, so they run at once and fail
with one line; the SDK itself is imported where the requests are sent.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from evalsuite.backends.base import Backend, Completion, Request
from evalsuite.backends.cost import Price, load_prices
from evalsuite.backends.options import HostedOptions
from evalsuite.errors import EvalsuiteError

HOSTED = {"openai": ("openai_api", "OpenAIAPI"), "anthropic": ("anthropic_api", "AnthropicAPI")}
PROCESS_CONCURRENCY = 32  # requests in flight per client process when their number is automatic


@dataclass(frozen=True)
class HostedModel:
    """A hosted model as checked: where it is, its key, its price."""

    provider: str
    name: str
    api_key: str
    base_url: str | None
    price: Price | None

    @property
    def identity(self) -> dict[str, object]:
        """What names the model in the cache key."""
        return {"provider": self.provider, "model": self.name, "base_url": self.base_url}

    def endpoint(self, request: Request) -> str:
        return _module(self.provider).endpoint(request)


def _module(provider: str):
    return import_module(f"evalsuite.backends.{HOSTED[provider][0]}")  # no SDK imported


def hosted_credentials(provider: str, name: str, base_url: str | None) -> tuple[str, str | None]:
    """(API key, base URL) read from the environment; no key and no base URL is one clear
    error naming the variable to set."""
    module = _module(provider)
    base_url = base_url or os.environ.get(module.BASE_URL_ENV) or None
    api_key = os.environ.get(module.KEY_ENV)
    if not api_key:
        if base_url is None:
            raise EvalsuiteError(f"{provider}/{name} needs an API key: set {module.KEY_ENV} in the environment")
        api_key = "EMPTY"  # local OpenAI-compatible servers usually ignore the key
    return api_key, base_url


def check_hosted(provider: str, name: str, options: HostedOptions) -> HostedModel:
    """Everything about a hosted model that can be checked without sending a request."""
    api_key, base_url = hosted_credentials(provider, name, options.base_url)
    prices = load_prices(Path(options.prices) if options.prices else None)
    price = prices.lookup(provider, name, batch=options.batch)
    if options.max_cost is not None and price is None:
        raise EvalsuiteError(
            f"--max-cost needs a price for {provider}/{name}: add it under [{provider}] "
            "in a price file (--prices PATH), in USD per million tokens"
        )
    return HostedModel(provider, name, api_key, base_url, price)


def client_processes(options: HostedOptions) -> int:
    """How many processes send the requests: `--client-processes`, or automatically one per
    CPU once the concurrency is high enough for one event loop to be the limit."""
    if options.client_processes is not None:
        return options.client_processes
    wanted = options.concurrency // PROCESS_CONCURRENCY
    return max(1, min(os.cpu_count() or 1, wanted))


def import_sdk(model: HostedModel, options: HostedOptions) -> None:
    """Import the model's SDK and all that making its client imports, keeping no client."""
    async def make_and_close() -> None:
        await in_process_backend(model, options).aclose()

    asyncio.run(make_and_close())


def in_process_backend(model: HostedModel, options: HostedOptions) -> Backend:
    """The model's API (its SDK imported now) behind the run's policy, in this process."""
    from evalsuite.backends.concurrency import ConcurrentBackend, RetryPolicy

    api = getattr(_module(model.provider), HOSTED[model.provider][1])(
        model.name, api_key=model.api_key, base_url=model.base_url, timeout=options.timeout,
        transport=options.transport,
    )
    policy = RetryPolicy(
        max_retries=options.max_retries, timeout_s=options.timeout,
        initial_backoff_s=options.initial_backoff, max_backoff_s=options.max_backoff,
        jitter_s=options.initial_backoff,
    )
    return ConcurrentBackend(
        api, concurrency=options.concurrency, policy=policy, rpm=options.rpm, tpm=options.tpm,
        price=model.price, max_cost_usd=options.max_cost,
    )


class DeferredBackend:
    """The in-process backend of a hosted model, made (and its SDK imported, about a second)
    only when a request is to be sent: a run answered from the cache never pays for it."""

    def __init__(self, model: HostedModel, options: HostedOptions) -> None:
        self.name = f"{model.provider}/{model.name}"
        self.model = model
        self.options = options
        self.cache_identity = model.identity
        self._backend: Backend | None = None

    @property
    def backend(self) -> Backend:
        """The backend that sends the requests, made on first use."""
        if self._backend is None:
            self._backend = in_process_backend(self.model, self.options)
        return self._backend

    @property
    def api(self):
        """The provider's API (its SDK client inside), made on first use."""
        return self.backend.api

    def endpoint(self, request: Request) -> str:
        return self.model.endpoint(request)

    async def stream(self, requests: Sequence[Request]) -> AsyncIterator[tuple[int, Completion]]:
        async for answer in self.backend.stream(requests):
            yield answer

    async def aclose(self) -> None:
        if self._backend is not None:
            await self._backend.aclose()


def hosted_backend(provider: str, name: str, options: HostedOptions) -> Backend:
    """The backend of a hosted model: in this process, or over worker processes (those
    `start_early` started, if it did)."""
    model = check_hosted(provider, name, options)
    processes = client_processes(options)
    if processes <= 1:
        return DeferredBackend(model, options)
    early = _started.pop((provider, name, options), None)
    if early is not None:
        return early
    from evalsuite.backends.workers import WorkerPool

    return WorkerPool(model, options, processes)


_started: dict[tuple[str, str, HostedOptions], Backend] = {}


def start_early(provider: str, name: str, options: HostedOptions) -> None:
    """Start a model's client processes now, if it will have any, so that they import the SDK
    while this process plans the run; `hosted_backend` then takes them over."""
    processes = client_processes(options)
    key = (provider, name, options)
    if processes > 1 and key not in _started and not options.batch:
        from evalsuite.backends.workers import WorkerPool

        _started[key] = WorkerPool(check_hosted(provider, name, options), options, processes)


def stop_unused() -> None:
    """Stop client processes started early that nothing took over (the run stopped first)."""
    while _started:
        _, pool = _started.popitem()
        pool.terminate()
