"""Model names PROVIDER/MODEL, option checks, and lazy imports."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from evalsuite.backends import (
    PROVIDERS,
    BackendOptions,
    EngineOptions,
    HFOptions,
    HostedOptions,
    LlamaCppOptions,
    VLLMOptions,
    load_backend,
)
from evalsuite.backends.cache import CachedBackend
from evalsuite.errors import EvalsuiteError


@pytest.mark.parametrize("model", ["gpt-4o", "mistral/mistral-large", "openai/", ""])
def test_an_unknown_provider_lists_the_valid_ones(model):
    with pytest.raises(EvalsuiteError, match="openai, anthropic, vllm, hf, llamacpp, dummy"):
        load_backend(model, BackendOptions(cache=None))


@pytest.mark.parametrize("engine, field, value, message", [
    ("hosted", "concurrency", 0, "--concurrency must be 1 or more"),
    ("hosted", "max_retries", -1, "--max-retries must be 0 or more"),
    ("hosted", "timeout", 0.0, "--timeout must be more than 0"),
    ("hosted", "max_cost", -1.0, "--max-cost must be more than 0"),
    ("hf", "batch_size", 0, "--batch-size must be 1 or more"),
    ("vllm", "tensor_parallel_size", 0, "--tensor-parallel-size must be 1 or more"),
    ("vllm", "dtype", "float8", "unknown --dtype 'float8'"),
])
def test_bad_options_are_refused(engine, field, value, message):
    engines = EngineOptions().with_settings({})
    engines = dataclasses.replace(engines, **{engine: dataclasses.replace(getattr(engines, engine), **{field: value})})
    model = {"hosted": "openai/gpt-4o-mini", "hf": "hf/gemma-3-270m", "vllm": "vllm/m"}[engine]
    with pytest.raises(EvalsuiteError, match=message):
        load_backend(model, BackendOptions(cache=None, engines=engines))


def test_each_backend_receives_only_its_own_engines_options(monkeypatch):
    received = {}
    for provider, (engine, make) in list(PROVIDERS.items()):
        monkeypatch.setitem(PROVIDERS, provider, (engine, lambda name, options, p=provider: received.setdefault(p, options)))
    engines = EngineOptions().with_settings({"concurrency": 3, "dtype": "bfloat16", "batch_size": 2,
                                             "threads": 3, "max_model_len": 512})
    for model in ("openai/m", "anthropic/m", "hf/m", "vllm/m", "llamacpp/m.gguf", "dummy/oracle"):
        load_backend(model, BackendOptions(cache=None, engines=engines))
    assert received["openai"] == received["anthropic"] == HostedOptions(concurrency=3)
    assert received["hf"] == HFOptions(dtype="bfloat16", batch_size=2)
    assert received["vllm"] == VLLMOptions(dtype="bfloat16", max_model_len=512)
    assert received["llamacpp"] == LlamaCppOptions(threads=3, batch_size=2, max_model_len=512)
    assert received["dummy"] is None


def test_hosted_models_are_cached_unless_asked_not_to(tmp_path):
    cached = load_backend("openai/gpt-4o-mini", BackendOptions(cache=tmp_path / "c.sqlite"))
    assert isinstance(cached, CachedBackend)
    assert cached.identity == {"provider": "openai", "model": "gpt-4o-mini", "base_url": None}
    assert not isinstance(load_backend("openai/gpt-4o-mini", BackendOptions(cache=None)),
                          CachedBackend)


def test_importing_the_backends_imports_no_sdk():
    code = ("import sys, evalsuite.backends; "
            "print(sorted(m for m in ('openai', 'anthropic', 'torch', 'transformers', 'vllm') "
            "if m in sys.modules))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert output.strip() == "[]"
