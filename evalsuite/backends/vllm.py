"""vLLM in-process on GPUs (`vllm/MODEL_OR_PATH`): one engine, the whole batch in one call.

Kept thin: the request and response mapping are pure functions (`to_prompt`,
`to_sampling_kwargs`, `to_completion`) that can be tested without vLLM or a GPU.
vLLM itself is imported only when the backend is made.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import jinja2

from evalsuite.backends.base import Completion, GenerationParams, Request
from evalsuite.errors import EvalsuiteError

DTYPES = ("auto", "float32", "bfloat16", "float16")


class VLLMBackend:
    """One vLLM engine; `stream` sends every request in a single `LLM.generate` call (vLLM
    schedules them itself) and yields the completions when it returns."""

    def __init__(self, model: str, options: Any = None) -> None:
        self.name = f"vllm/{model}"
        dtype = getattr(options, "dtype", None) or "auto"
        if dtype not in DTYPES:
            raise EvalsuiteError(f"unknown --dtype {dtype!r}: use one of {', '.join(DTYPES)}")
        vllm = _import_vllm()
        self._sampling_params = vllm.SamplingParams
        self.llm = vllm.LLM(
            model=model,
            tensor_parallel_size=getattr(options, "tensor_parallel_size", 1) or 1,
            dtype=dtype,
        )
        self.tokenizer = self.llm.get_tokenizer()
        self.context = _max_model_len(self.llm)

    async def stream(self, requests: Sequence[Request]) -> AsyncIterator[tuple[int, Completion]]:
        prompts = [to_prompt(request, self.tokenizer, self.name) for request in requests]
        runnable = []
        for position, (request, prompt) in enumerate(zip(requests, prompts)):
            rejection = too_long(len(prompt["prompt_token_ids"]), request.params, self.context)
            if rejection is None:
                runnable.append(position)
            else:
                yield position, rejection
        if not runnable:
            return
        sampling = [
            self._sampling_params(**to_sampling_kwargs(requests[position].params))
            for position in runnable
        ]
        start = time.perf_counter()
        outputs = await asyncio.to_thread(
            self.llm.generate, [prompts[position] for position in runnable], sampling,
            use_tqdm=False,
        )
        latency = time.perf_counter() - start
        for position, output in zip(runnable, outputs):
            yield position, to_completion(output, latency)

    async def aclose(self) -> None:
        self.llm = None
        gc.collect()
        import torch

        torch.cuda.empty_cache()


def to_prompt(request: Request, tokenizer: Any, name: str = "the model") -> dict:
    """vLLM's token prompt for a request: the text tokenized as the model usually is, or the
    messages through the model's chat template (which writes the special tokens itself)."""
    if request.messages is None:
        return {"prompt_token_ids": list(tokenizer(request.text or "")["input_ids"])}
    if not getattr(tokenizer, "chat_template", None):
        raise EvalsuiteError(f"{name} has no chat template: use completion mode, or a model that has one")
    turns = [{"role": message.role, "content": message.content} for message in request.messages]
    try:
        text = tokenizer.apply_chat_template(turns, tokenize=False, add_generation_prompt=True)
    except jinja2.TemplateError as error:  # raised by the model's own template
        raise EvalsuiteError(f"{name}'s chat template refused the messages: {error}")
    return {"prompt_token_ids": list(tokenizer(text, add_special_tokens=False)["input_ids"])}


def to_sampling_kwargs(params: GenerationParams) -> dict:
    """Keyword arguments for `vllm.SamplingParams`. Temperature 0 is greedy in vLLM; above 0
    it is plain temperature sampling (vLLM's defaults: no top-k, top-p 1)."""
    kwargs: dict[str, Any] = {
        "max_tokens": params.max_tokens,
        "temperature": params.temperature,
        "stop": list(params.stop),
    }
    if params.seed is not None:
        kwargs["seed"] = params.seed
    return kwargs


def to_completion(output: Any, latency_s: float) -> Completion:
    """A Completion from a vLLM `RequestOutput` (its first `CompletionOutput`). vLLM leaves
    the stop string out of the text, as the APIs do."""
    choice = output.outputs[0]
    prompt_ids = getattr(output, "prompt_token_ids", None)
    reason = choice.finish_reason
    return Completion(
        text=choice.text,
        finish_reason=reason,
        input_tokens=len(prompt_ids) if prompt_ids is not None else None,
        output_tokens=len(choice.token_ids),
        latency_s=latency_s,
        request_id=str(output.request_id),
        error=None if reason in ("stop", "length") else f"vLLM ended the request: {reason}",
    )


def too_long(prompt_tokens: int, params: GenerationParams, context: int | None) -> Completion | None:
    """The rejection for a prompt that cannot fit the model's context with its max_tokens,
    or None when it fits (vLLM would otherwise fail the whole batch)."""
    if context is None or prompt_tokens + params.max_tokens <= context:
        return None
    return Completion(
        text="", input_tokens=prompt_tokens,
        error=f"rejected: {prompt_tokens} prompt tokens plus max_tokens {params.max_tokens} "
        f"exceed the model's context of {context}",
    )


def _import_vllm() -> Any:
    try:
        import vllm
    except ImportError as error:
        raise EvalsuiteError("vllm/ models need vLLM: pip install 'evalsuite[vllm]'") from error
    import torch

    if not torch.cuda.is_available():
        raise EvalsuiteError(
            "vllm/ models need a CUDA GPU and torch sees none: use hf/MODEL to run on CPU"
        )
    return vllm


def _max_model_len(llm: Any) -> int | None:
    engine = getattr(llm, "llm_engine", None)
    config = getattr(engine, "model_config", None)
    return getattr(config, "max_model_len", None)
