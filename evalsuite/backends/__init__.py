"""Model backends behind one interface, chosen by a `PROVIDER/MODEL` name.

Importing this package imports no SDK: each provider's module, and its SDK (openai,
anthropic, torch, vllm), is imported only when `load_backend` is asked for that provider.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from evalsuite.backends.base import Backend, Completion, GenerationParams, Request
from evalsuite.backends.cache import CachedBackend, ResponseCache, default_cache_path
from evalsuite.backends.cost import PriceTable, dry_run, load_prices
from evalsuite.errors import EvalsuiteError

__all__ = [
    "PROVIDERS", "Backend", "BackendOptions", "Completion", "GenerationParams", "PriceTable",
    "Request", "dry_run", "load_backend", "load_prices",
]


@dataclass(frozen=True)
class BackendOptions:
    """Everything a backend may be configured with; each provider reads the fields it uses.

    `cache` is the response cache file (None: no cache); `timeout` is seconds per request;
    `max_cost` USD for the run; `prices` a price file extending the shipped table.
    """

    base_url: str | None = None
    concurrency: int = 16
    max_retries: int = 6
    timeout: float = 120.0
    rpm: float | None = None
    tpm: float | None = None
    cache: Path | None = field(default_factory=default_cache_path)
    max_cost: float | None = None
    prices: Path | None = None
    dtype: str = "auto"
    device: str | None = None
    tensor_parallel_size: int = 1
    batch_size: int = 8
    initial_backoff: float = 1.0
    max_backoff: float = 60.0


def load_backend(model: str, options: BackendOptions | None = None) -> Backend:
    """The backend for `model`, written PROVIDER/MODEL (e.g. openai/gpt-4o-mini, hf/gemma-3-270m),
    behind the response cache unless `options.cache` is None."""
    options = options or BackendOptions()
    provider, name = split_model(model)
    _check(options)
    return PROVIDERS[provider](name, options)


def split_model(model: str) -> tuple[str, str]:
    """(provider, model name) of PROVIDER/MODEL; one clear error for an unknown provider."""
    provider, _, name = model.partition("/")
    if provider not in PROVIDERS or not name:
        raise EvalsuiteError(
            f"unknown model {model!r}: write PROVIDER/MODEL with PROVIDER one of "
            + ", ".join(PROVIDERS)
        )
    return provider, name


HOSTED = {"openai": ("openai_api", "OpenAIAPI"), "anthropic": ("anthropic_api", "AnthropicAPI")}


def hosted_credentials(model: str, base_url: str | None) -> tuple[str, str | None] | None:
    """(API key, base URL) of a hosted model, read from the environment (None for local
    providers). Checking it before a run sends anything is the point: no key and no base
    URL is one clear error naming the variable to set."""
    from importlib import import_module

    provider, name = split_model(model)
    if provider not in HOSTED:
        return None
    provider_module = import_module(f"evalsuite.backends.{HOSTED[provider][0]}")
    base_url = base_url or os.environ.get(provider_module.BASE_URL_ENV) or None
    api_key = os.environ.get(provider_module.KEY_ENV)
    if not api_key:
        if base_url is None:
            raise EvalsuiteError(
                f"{provider}/{name} needs an API key: set {provider_module.KEY_ENV} in the environment"
            )
        api_key = "EMPTY"  # local OpenAI-compatible servers usually ignore the key
    return api_key, base_url


def _check(options: BackendOptions) -> None:
    for label, value, least in [("--concurrency", options.concurrency, 1),
                                ("--max-retries", options.max_retries, 0),
                                ("--batch-size", options.batch_size, 1),
                                ("--tensor-parallel-size", options.tensor_parallel_size, 1)]:
        if value < least:
            raise EvalsuiteError(f"{label} must be {least} or more, got {value}")
    for label, number in [("--timeout", options.timeout), ("--rpm", options.rpm),
                          ("--tpm", options.tpm), ("--max-cost", options.max_cost)]:
        if number is not None and number <= 0:
            raise EvalsuiteError(f"{label} must be more than 0, got {number:g}")


def _cached(backend: Backend, options: BackendOptions, identity: dict | None = None) -> Backend:
    if options.cache is None:
        return backend
    return CachedBackend(backend, ResponseCache(options.cache), identity)


def _hosted(provider: str, name: str, options: BackendOptions) -> Backend:
    from importlib import import_module

    from evalsuite.backends.concurrency import ConcurrentBackend, RetryPolicy

    module, cls = HOSTED[provider]
    provider_module = import_module(f"evalsuite.backends.{module}")
    api_key, base_url = hosted_credentials(f"{provider}/{name}", options.base_url)
    price = load_prices(options.prices).lookup(provider, name)
    if options.max_cost is not None and price is None:
        raise EvalsuiteError(
            f"--max-cost needs a price for {provider}/{name}: add it under [{provider}] "
            "in a price file (--prices PATH), in USD per million tokens"
        )
    api = getattr(provider_module, cls)(
        name, api_key=api_key, base_url=base_url, timeout=options.timeout
    )
    policy = RetryPolicy(
        max_retries=options.max_retries, timeout_s=options.timeout,
        initial_backoff_s=options.initial_backoff, max_backoff_s=options.max_backoff,
        jitter_s=min(1.0, options.initial_backoff),
    )
    backend = ConcurrentBackend(
        api, concurrency=options.concurrency, policy=policy, rpm=options.rpm, tpm=options.tpm,
        price=price, max_cost_usd=options.max_cost,
    )
    return _cached(backend, options)


def _openai(name: str, options: BackendOptions) -> Backend:
    return _hosted("openai", name, options)


def _anthropic(name: str, options: BackendOptions) -> Backend:
    return _hosted("anthropic", name, options)


def _local_identity(provider: str, name: str, options: BackendOptions) -> dict:
    # Numerics, and so greedy answers, can change with dtype and device.
    return {"provider": provider, "model": name, "base_url": None,
            "dtype": options.dtype, "device": options.device}


def _hf(name: str, options: BackendOptions) -> Backend:
    from evalsuite.backends.hf import HFBackend

    return _cached(HFBackend(name, options), options, _local_identity("hf", name, options))


def _vllm(name: str, options: BackendOptions) -> Backend:
    from evalsuite.backends.vllm import VLLMBackend

    identity = _local_identity("vllm", name, options)
    return _cached(VLLMBackend(name, options), options, identity)


def _dummy(name: str, options: BackendOptions) -> Backend:
    from evalsuite.backends.dummy import DummyBackend

    return DummyBackend(name)  # answers instantly: nothing to cache


PROVIDERS: dict[str, Callable[[str, BackendOptions], Backend]] = {
    "openai": _openai,
    "anthropic": _anthropic,
    "vllm": _vllm,
    "hf": _hf,
    "dummy": _dummy,
}
