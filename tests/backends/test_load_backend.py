"""Model names PROVIDER/MODEL, option checks, and lazy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from evalsuite.backends import BackendOptions, load_backend
from evalsuite.backends.cache import CachedBackend
from evalsuite.errors import EvalsuiteError


@pytest.mark.parametrize("model", ["gpt-4o", "mistral/mistral-large", "openai/", ""])
def test_an_unknown_provider_lists_the_valid_ones(model):
    with pytest.raises(EvalsuiteError, match="openai, anthropic, vllm, hf, dummy"):
        load_backend(model, BackendOptions(cache=None))


@pytest.mark.parametrize("field, value, message", [
    ("concurrency", 0, "--concurrency must be 1 or more"),
    ("max_retries", -1, "--max-retries must be 0 or more"),
    ("timeout", 0.0, "--timeout must be more than 0"),
    ("max_cost", -1.0, "--max-cost must be more than 0"),
])
def test_bad_options_are_refused(field, value, message):
    with pytest.raises(EvalsuiteError, match=message):
        load_backend("dummy/oracle", BackendOptions(cache=None, **{field: value}))


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
