"""Model backends behind one interface, chosen by a `PROVIDER/MODEL` name.

Importing this package imports no SDK: each provider's module, and its SDK (openai,
anthropic, torch, vllm), is imported only when `load_backend` is asked for that provider.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalsuite.backends.base import Backend, Completion, GenerationParams, Request
from evalsuite.backends.cache import CachedBackend, ResponseCache, default_cache_path
from evalsuite.backends.cost import PriceTable, dry_run, load_prices
from evalsuite.backends.options import (
    EngineOptions,
    HFOptions,
    HostedOptions,
    LlamaCppOptions,
    VLLMOptions,
    check,
)
from evalsuite.errors import EvalsuiteError

__all__ = [
    "PROVIDERS", "Backend", "BackendOptions", "Completion", "EngineOptions", "GenerationParams",
    "HFOptions", "HostedOptions", "LlamaCppOptions", "PriceTable", "Request", "VLLMOptions",
    "dry_run", "engine_of", "load_backend", "load_prices",
]


@dataclass(frozen=True)
class BackendOptions:
    """How to make a backend: the response cache file (None: no cache) and each engine's own
    options; a backend receives only those of its engine."""

    cache: Path | None = field(default_factory=default_cache_path)
    engines: EngineOptions = field(default_factory=EngineOptions)


def load_backend(model: str, options: BackendOptions | None = None) -> Backend:
    """The backend for `model`, written PROVIDER/MODEL (e.g. openai/gpt-4o-mini, hf/gemma-3-270m),
    behind the response cache unless `options.cache` is None."""
    options = options or BackendOptions()
    provider, name = split_model(model)
    engine, make = PROVIDERS[provider]
    engine_options = getattr(options.engines, engine) if engine else None
    if engine_options is not None:
        check(engine_options)
    return _cached(make(name, engine_options), options.cache, provider, name, engine_options)


def engine_of(model: str) -> str | None:
    """The engine whose options a model's backend reads (`hosted`, `hf`, …; None for dummy/)."""
    return PROVIDERS[split_model(model)[0]][0]


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


def _cached(backend: Backend, cache: Path | None, provider: str, name: str, options: Any) -> Backend:
    if cache is None or provider == "dummy":  # dummy/ answers instantly: nothing to cache
        return backend
    return CachedBackend(backend, ResponseCache(cache), _identity(backend, provider, name, options))


def _identity(backend: Backend, provider: str, name: str, options: Any) -> dict:
    """What names the model in the cache key: a hosted model and its server, or a local
    model with the options that change its numerics (and so its greedy answers)."""
    identity = getattr(backend, "cache_identity", None)
    if identity is not None:
        return dict(identity)
    return {"provider": provider, "model": name, "base_url": None,
            "dtype": getattr(options, "dtype", None), "device": getattr(options, "device", None)}


def _hosted(provider: str, name: str, options: HostedOptions) -> Backend:
    from importlib import import_module

    from evalsuite.backends.concurrency import ConcurrentBackend, RetryPolicy

    module, cls = HOSTED[provider]
    provider_module = import_module(f"evalsuite.backends.{module}")
    api_key, base_url = hosted_credentials(f"{provider}/{name}", options.base_url)
    price = load_prices(Path(options.prices) if options.prices else None).lookup(provider, name)
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
    return ConcurrentBackend(
        api, concurrency=options.concurrency, policy=policy, rpm=options.rpm, tpm=options.tpm,
        price=price, max_cost_usd=options.max_cost,
    )


def _openai(name: str, options: HostedOptions) -> Backend:
    return _hosted("openai", name, options)


def _anthropic(name: str, options: HostedOptions) -> Backend:
    return _hosted("anthropic", name, options)


def _hf(name: str, options: HFOptions) -> Backend:
    from evalsuite.backends.hf import HFBackend

    return HFBackend(name, options)


def _vllm(name: str, options: VLLMOptions) -> Backend:
    from evalsuite.backends.vllm import VLLMBackend

    return VLLMBackend(name, options)


def _dummy(name: str, options: None) -> Backend:
    from evalsuite.backends.dummy import DummyBackend

    return DummyBackend(name)


# provider -> (the engine whose options it reads, the function that makes its backend)
PROVIDERS: dict[str, tuple[str | None, Callable[[str, Any], Backend]]] = {
    "openai": ("hosted", _openai),
    "anthropic": ("hosted", _anthropic),
    "vllm": ("vllm", _vllm),
    "hf": ("hf", _hf),
    "dummy": (None, _dummy),
}
