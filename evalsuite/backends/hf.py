"""Hugging Face transformers in-process (`hf/MODEL_OR_PATH`): batched generation with left
padding, on CPU or GPU.

This module imports torch and transformers on import; `load_backend` imports it only when an
`hf/` model is asked for. `hf/gemma-3-270m` is the embedded model (see `gemma.py`).
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2

from evalsuite.backends.base import Completion, GenerationParams, Request
from evalsuite.backends.context import fit_to_context, over_context
from evalsuite.errors import EvalsuiteError
from evalsuite.prompts.record import Message

try:
    import torch
    import transformers
except ImportError as error:
    raise EvalsuiteError(
        "hf/ models need torch and transformers: pip install 'evalsuite[local]'"
    ) from error

if not sys.stderr.isatty():
    # Off a terminal, transformers' load and save bars would bury our own lines in logs.
    transformers.utils.logging.disable_progress_bar()

DTYPES = ("auto", "float32", "bfloat16", "float16")
DEVICES = "auto, cpu, cuda, cuda:N or mps"
DEFAULT_BATCH_SIZE = 8


class HFBackend:
    """A causal language model from transformers. Requests with the same generation
    parameters are sorted by prompt length and generated in batches of `batch_size`; each
    batch's completions are yielded as soon as it finishes.

    With temperature 0 decoding is greedy; above 0 it samples with the request's seed (set
    once per batch, so a sampled answer also depends on the batch it shared).
    """

    def __init__(self, model: str, options: Any = None) -> None:
        self.name = f"hf/{model}"
        self.device = resolve_device(getattr(options, "device", None))
        self.dtype = resolve_dtype(getattr(options, "dtype", None), self.device)
        self.batch_size = getattr(options, "batch_size", None) or DEFAULT_BATCH_SIZE
        self.checkpoint, local_only = model_source(model)
        self.tokenizer, self.model = _load(self.name, self.checkpoint, self.dtype, local_only)
        self.model.to(self.device)
        self.model.eval()
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.tokenizer.padding_side = "left"
        self.eos_ids = _eos_ids(self.model, self.tokenizer)
        config = self.model.config
        text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
        self.context = getattr(text_config, "max_position_embeddings", None)

    async def stream(self, requests: Sequence[Request]) -> AsyncIterator[tuple[int, Completion]]:
        if self.model is None:
            raise RuntimeError(f"{self.name} is closed")
        prompts = await asyncio.to_thread(self.encode_all, requests)
        runnable = []
        params: list[GenerationParams] = []
        for position, (request, ids) in enumerate(zip(requests, prompts)):
            fitted = fit_to_context(len(ids), request.params, self.context)
            params.append(fitted or request.params)
            if fitted is None:
                yield position, over_context(len(ids), request.params, self.context)
            else:
                runnable.append(position)
        lengths = [len(ids) for ids in prompts]
        for batch in plan_batches(runnable, lengths, params, self.batch_size):
            rows = [prompts[position] for position in batch]
            completions = await asyncio.to_thread(self.generate, rows, params[batch[0]])
            for position, completion in zip(batch, completions):
                yield position, completion

    def encode_all(self, requests: Sequence[Request]) -> list[list[int]]:
        """Token ids of each request's prompt: the text as is (with the tokenizer's usual
        special tokens) or the messages through the chat template."""
        if any(request.messages is not None for request in requests) and not self.has_chat_template:
            raise EvalsuiteError(
                f"{self.name} has no chat template: use completion mode, or a model that has one"
            )
        return [self.encode(request) for request in requests]

    @property
    def has_chat_template(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))

    def encode(self, request: Request) -> list[int]:
        if request.messages is None:
            return self.tokenizer(request.text or "")["input_ids"]
        text = self.chat_text(request.messages)
        # The template writes the special tokens (BOS) itself.
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def chat_text(self, messages: Sequence[Message]) -> str:
        turns = [{"role": message.role, "content": message.content} for message in messages]
        try:
            return self.tokenizer.apply_chat_template(
                turns, tokenize=False, add_generation_prompt=True
            )
        except jinja2.TemplateError as error:  # raised by the model's own template
            raise EvalsuiteError(f"{self.name}'s chat template refused the messages: {error}")

    def generate(self, rows: list[list[int]], params: GenerationParams) -> list[Completion]:
        """Complete a batch of tokenized prompts that share `params` (blocking)."""
        start = time.perf_counter()
        width = max(len(row) for row in rows)
        pad = self.tokenizer.pad_token_id
        input_ids = torch.tensor([[pad] * (width - len(row)) + row for row in rows])
        mask = torch.tensor([[0] * (width - len(row)) + [1] * len(row) for row in rows])
        stops = StopStrings(self.tokenizer, params.stop, width, len(rows)) if params.stop else None
        if params.temperature > 0 and params.seed is not None:
            torch.manual_seed(params.seed)
        with torch.inference_mode():
            output = self.model.generate(
                input_ids=input_ids.to(self.device),
                attention_mask=mask.to(self.device),
                generation_config=self.generation_config(params),
                stopping_criteria=transformers.StoppingCriteriaList([stops] if stops else []),
            )
        generated = output[:, width:].tolist()
        latency = time.perf_counter() - start
        return [
            replace(
                self.finish(tokens, stops.finished_at[row] if stops else None, params.stop),
                input_tokens=len(rows[row]), latency_s=latency,
            )
            for row, tokens in enumerate(generated)
        ]

    def generation_config(self, params: GenerationParams) -> Any:
        base = self.model.generation_config
        settings: dict[str, Any] = {
            "max_new_tokens": params.max_tokens,
            "do_sample": params.temperature > 0,
            "pad_token_id": self.tokenizer.pad_token_id,
            "eos_token_id": sorted(self.eos_ids),
            "bos_token_id": base.bos_token_id,
        }
        if params.temperature > 0:
            # Plain temperature sampling, as the APIs do: no top-k or top-p from the model's
            # own generation config.
            settings.update(temperature=params.temperature, top_k=0, top_p=1.0)
        return transformers.GenerationConfig(**settings)

    def finish(self, tokens: list[int], stop_step: int | None, stop: Sequence[str]) -> Completion:
        """A row's completion: cut at its first EOS or stop string."""
        end, reason = len(tokens), "length"
        eos_at = next((i for i, token in enumerate(tokens) if token in self.eos_ids), None)
        if eos_at is not None:
            end, reason = eos_at + 1, "stop"
        if stop_step is not None and stop_step < end:
            end, reason = stop_step, "stop"
        text = self.tokenizer.decode(tokens[:end], skip_special_tokens=True)
        text, stopped = cut_at_stop(text, stop)
        return Completion(text=text, finish_reason="stop" if stopped else reason, output_tokens=end)

    async def aclose(self) -> None:
        self.model = None
        gc.collect()
        if self.device.startswith("cuda"):
            torch.cuda.empty_cache()


class StopStrings(transformers.StoppingCriteria):
    """Marks a row done once its generated text holds a stop string, and remembers after
    how many generated tokens; `generate` stops when every row is done (or at EOS)."""

    def __init__(self, tokenizer: Any, stop: Sequence[str], prompt_width: int, rows: int):
        self.tokenizer = tokenizer
        self.stop = tuple(stop)
        self.prompt_width = prompt_width
        # A stop string that appeared at this step lies within the last few tokens, since
        # each token is at least one character (a few byte tokens make one character).
        self.window = max(len(s) for s in self.stop) + 4
        self.finished_at: list[int | None] = [None] * rows

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        generated = input_ids[:, self.prompt_width:]
        tails = self.tokenizer.batch_decode(
            generated[:, -self.window:].tolist(), skip_special_tokens=True
        )
        for row, tail in enumerate(tails):
            if self.finished_at[row] is None and any(s in tail for s in self.stop):
                self.finished_at[row] = generated.shape[1]
        done = [step is not None for step in self.finished_at]
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)


def cut_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """`text` up to the earliest stop string, and whether one was found."""
    cuts = [index for index in (text.find(s) for s in stop if s) if index >= 0]
    return (text[: min(cuts)], True) if cuts else (text, False)


def plan_batches(
    positions: Sequence[int],
    lengths: Sequence[int],
    params: Sequence[GenerationParams],
    batch_size: int,
) -> list[list[int]]:
    """Batches of request positions: requests with equal parameters, longest prompt first
    (so that padding is small and running out of memory shows at once)."""
    groups: dict[GenerationParams, list[int]] = {}
    for position in positions:
        groups.setdefault(params[position], []).append(position)
    batches = []
    for members in groups.values():
        members.sort(key=lambda position: (-lengths[position], position))
        batches += [members[i : i + batch_size] for i in range(0, len(members), batch_size)]
    return batches


def resolve_device(name: str | None) -> str:
    """The torch device for `--device`: auto picks a CUDA GPU when there is one."""
    if name in (None, "", "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cpu":
        return name
    if name == "cuda" or name.startswith("cuda:") and name[5:].isdigit():
        if not torch.cuda.is_available():
            raise EvalsuiteError(f"--device {name}: torch sees no CUDA GPU; use --device cpu")
        return name
    if name == "mps":
        if not torch.backends.mps.is_available():
            raise EvalsuiteError("--device mps: torch sees no Apple GPU; use --device cpu")
        return name
    raise EvalsuiteError(f"unknown --device {name!r}: use {DEVICES}")


def resolve_dtype(name: str | None, device: str) -> Any:
    """The torch dtype for `--dtype`. auto: float32 on CPU (half precision there is slow and
    less exact), the checkpoint's own dtype on a GPU."""
    if name in (None, "", "auto"):
        return torch.float32 if device == "cpu" else "auto"
    if name not in DTYPES:
        raise EvalsuiteError(f"unknown --dtype {name!r}: use one of {', '.join(DTYPES)}")
    return getattr(torch, name)


def model_source(model: str) -> tuple[str, bool]:
    """Where to load `model` from, and whether only local files may be read: the embedded
    model's converted checkpoint, a local folder, or a hub name (local files only when
    HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE is set)."""
    from evalsuite.backends import gemma

    if model == gemma.EMBEDDED_NAME:
        return str(gemma.ensure_checkpoint()), True
    path = Path(model).expanduser()
    if path.exists():
        return str(path), True
    offline = any(
        os.environ.get(variable, "").lower() in ("1", "true", "yes", "on")
        for variable in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )
    return model, offline


def _load(name: str, source: str, dtype: Any, local_only: bool) -> tuple[Any, Any]:
    # transformers renamed `torch_dtype` to `dtype` in 4.56.
    major, minor = (int(part) for part in transformers.__version__.split(".")[:2])
    dtype_key = "dtype" if (major, minor) >= (4, 56) else "torch_dtype"
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(source, local_files_only=local_only)
        model = transformers.AutoModelForCausalLM.from_pretrained(
            source, local_files_only=local_only, **{dtype_key: dtype}
        )
    except (OSError, ValueError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise EvalsuiteError(f"cannot load {name} from {source}: {reason}") from error
    return tokenizer, model


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    configured = model.generation_config.eos_token_id
    if configured is None:
        configured = tokenizer.eos_token_id
    ids = configured if isinstance(configured, (list, tuple)) else [configured]
    return {token for token in ids if token is not None}
