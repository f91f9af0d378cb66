"""Model backends behind one interface, chosen by a `PROVIDER/MODEL` name.

Importing this package imports no SDK: each provider's module, and its SDK (openai,
anthropic, torch, vllm, llama_cpp), is imported only when `load_backend` is asked for that provider.
"""

from __future__ import annotations

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
    "cache_identity_of", "dry_run", "engine_of", "load_backend", "load_prices", "uses_cache",
]


@dataclass(frozen=True)
class BackendOptions:
    """How to make a backend: the response cache file (None: no cache) and each engine's own
    options; a backend receives only those of its engine."""

    cache: Path | None = field(default_factory=default_cache_path)
    engines: EngineOptions = field(default_factory=EngineOptions)
    run_directory: Path | None = None  # where a --batch backend records its batches


def load_backend(model: str, options: BackendOptions | None = None) -> Backend:
    """The backend for `model`, written PROVIDER/MODEL (e.g. openai/gpt-4o-mini, hf/gemma-3-270m),
    behind the response cache unless `options.cache` is None."""
    options = options or BackendOptions()
    provider, name = split_model(model)
    engine, make = PROVIDERS[provider]
    engine_options = getattr(options.engines, engine) if engine else None
    if engine_options is not None:
        check(engine_options)
    if getattr(engine_options, "batch", False):
        from evalsuite.backends.batch import BatchBackend
        from evalsuite.backends.hosted import check_hosted

        backend = BatchBackend(check_hosted(provider, name, engine_options), engine_options,
                               options.run_directory)
    else:
        backend = make(name, engine_options)
    return _cached(backend, options.cache, provider, name, engine_options)


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


def hosted_credentials(model: str, base_url: str | None) -> tuple[str, str | None] | None:
    """(API key, base URL) of a hosted model, read from the environment (None for local
    providers). Checking it before a run sends anything is the point: no key and no base
    URL is one clear error naming the variable to set."""
    from evalsuite.backends.hosted import HOSTED
    from evalsuite.backends.hosted import hosted_credentials as credentials

    provider, name = split_model(model)
    return credentials(provider, name, base_url) if provider in HOSTED else None


def uses_cache(model: str) -> bool:
    """Whether `model`'s answers go through the response cache (dummy/ ones do not)."""
    return split_model(model)[0] != "dummy"


def _cached(backend: Backend, cache: Path | None, provider: str, name: str, options: Any) -> Backend:
    if cache is None or not uses_cache(f"{provider}/{name}"):
        return backend
    return CachedBackend(backend, ResponseCache(cache), _identity(backend, provider, name, options))


def cache_identity_of(backend: Backend, model: str, engines: EngineOptions) -> dict:
    """The cache identity that `load_backend(model)` gives `backend` (for a backend loaded
    elsewhere, such as on a Ray worker, whose answers the driver caches)."""
    provider, name = split_model(model)
    engine = PROVIDERS[provider][0]
    return _identity(backend, provider, name, getattr(engines, engine) if engine else None)


def _identity(backend: Backend, provider: str, name: str, options: Any) -> dict:
    """What names the model in the cache key: a hosted model and its server, or a local
    model with the options that change its numerics (and so its greedy answers)."""
    identity = getattr(backend, "cache_identity", None)
    if identity is not None:
        return dict(identity)
    return {"provider": provider, "model": name, "base_url": None,
            "dtype": getattr(options, "dtype", None), "device": getattr(options, "device", None)}


def _hosted(provider: str, name: str, options: HostedOptions) -> Backend:
    from evalsuite.backends.hosted import hosted_backend

    return hosted_backend(provider, name, options)


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


def _llamacpp(name: str, options: LlamaCppOptions) -> Backend:
    from evalsuite.backends.llamacpp import LlamaCppBackend

    return LlamaCppBackend(name, options)


def _dummy(name: str, options: None) -> Backend:
    from evalsuite.backends.dummy import DummyBackend

    return DummyBackend(name)


# provider -> (the engine whose options it reads, the function that makes its backend)
PROVIDERS: dict[str, tuple[str | None, Callable[[str, Any], Backend]]] = {
    "openai": ("hosted", _openai),
    "anthropic": ("hosted", _anthropic),
    "vllm": ("vllm", _vllm),
    "hf": ("hf", _hf),
    "llamacpp": ("llamacpp", _llamacpp),
    "dummy": (None, _dummy),
}
