"""A local `hf/` model opened for reading its activations (collapse and sensitivity).

Loading goes through the transformers backend's own `model_source` and `_load`, so that
`hf/gemma-3-270m` means the same converted checkpoint everywhere. torch is imported only
by the functions that need it, so that a wrong model name is reported as such without it.

The final representation is `hidden_states[-1]` of `output_hidden_states`, which in
transformers' Gemma 3 (and its other decoder-only models) is the output of the final RMSNorm,
i.e. exactly what the unembedding reads (tests/oversquash/test_collapse_local.py checks
this against the logits).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evalsuite.errors import EvalsuiteError

DTYPES = ("float32", "bfloat16", "float16")


def require_local(model: str, command: str) -> str:
    """The name after `hf/`; anything else is an error (these measurements need weights)."""
    provider, _, name = model.partition("/")
    if provider != "hf" or not name:
        raise EvalsuiteError(f"{command} needs a local hf/ model, got {model!r} (e.g. hf/gemma-3-270m)")
    return name


def check_dtypes(dtypes: list[str] | tuple[str, ...]) -> None:
    for dtype in dtypes:
        if dtype not in DTYPES:
            raise EvalsuiteError(f"--dtypes: unknown {dtype!r}; valid: {', '.join(DTYPES)}")


@dataclass
class LocalModel:
    """A tokenizer and a causal LM in one dtype, on one device, in eval mode."""

    name: str
    dtype: str
    device: str
    tokenizer: Any
    model: Any
    context: int | None


def load_local_model(model: str, dtype: str = "float32", device: str | None = None) -> LocalModel:
    """Open `hf/NAME` (the embedded model, a local folder, or a cached hub name) in `dtype`."""
    import torch

    from evalsuite.backends.hf import _load, model_source, resolve_device

    name = require_local(model, "this measurement")
    check_dtypes([dtype])
    place = resolve_device(device)
    source, local_only = model_source(name)
    tokenizer, network = _load(model, source, getattr(torch, dtype), local_only)
    network.to(place)
    network.eval()
    network.requires_grad_(False)
    config = network.config
    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    context = getattr(text_config, "max_position_embeddings", None)
    return LocalModel(model, dtype, place, tokenizer, network, context)


def check_context(local: LocalModel, tokens: int, what: str) -> None:
    """Refuse a prompt longer than the model's context."""
    if local.context is not None and tokens > local.context:
        raise EvalsuiteError(
            f"{what} needs {tokens} tokens, more than {local.name}'s context of {local.context}"
        )


def final_state(local: LocalModel, ids: tuple[int, ...]) -> tuple[list[float], int]:
    """The last token's final representation (after the final norm, as floats) and the
    greedy next token, from one forward pass over `ids` alone (no padding, no cache)."""
    import torch

    input_ids = torch.tensor([list(ids)], device=local.device)
    with torch.inference_mode():
        output = local.model(
            input_ids=input_ids, output_hidden_states=True, logits_to_keep=1, use_cache=False
        )
        state = output.hidden_states[-1][0, -1]
        logits = output.logits[0, -1]
    return state.float().tolist(), int(logits.float().argmax())
