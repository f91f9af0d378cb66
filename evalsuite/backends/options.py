"""Each engine's own options, one small frozen dataclass per engine.

A backend receives only its engine's options: `openai/` and `anthropic/` get `HostedOptions`,
`hf/` gets `HFOptions`, and so on. Every field carries its command-line flag and help text in
its metadata, so that the CLI, grid files and error messages are built from one place; a
flag shared by several engines (`--dtype`) sets the field of each engine that has it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from typing import Any

from evalsuite.errors import EvalsuiteError


def option(default: Any, help: str, *, least: float | None = None, positive: bool = False,
           choices: tuple[str, ...] | None = None) -> Any:
    """A field that is also a command-line option `--name-with-dashes`.

    `least`: the smallest allowed value; `positive`: more than 0 (when given).
    """
    return field(default=default, metadata={"help": help, "least": least, "positive": positive,
                                            "choices": choices})


DTYPES = ("auto", "float32", "bfloat16", "float16")


# Options that several engines have: one declaration each, so that their flag reads the same
# for every engine (a flag sets the field of each engine that has it).
def dtype_option() -> Any:
    return option("auto", "hf, vllm: float32, bfloat16, float16 or auto", choices=DTYPES)


def device_option() -> Any:
    return option(None, "hf: cpu, cuda, cuda:N, mps or auto; vllm: cpu or cuda")


def batch_size_option() -> Any:
    return option(8, "hf: prompts per generation batch; llamacpp: requests decoded together in "
                  "each context (default: 8)", least=1)


def max_model_len_option() -> Any:
    return option(None, "vllm, llamacpp: context in tokens, prompt plus answer (default: the "
                  "model's; vllm on CPU: at most 4096)", least=1)


@dataclass(frozen=True)
class HostedOptions:
    """openai/ and anthropic/: concurrency, limits, retries, timeouts and budget."""

    base_url: str | None = option(None, "OpenAI-compatible or Anthropic server (or OPENAI_BASE_URL)")
    concurrency: int = option(16, "requests in flight (default: 16)", least=1)
    max_retries: int = option(6, "retries per request (default: 6)", least=0)
    timeout: float = option(120.0, "seconds per request (default: 120)", positive=True)
    rpm: float | None = option(None, "at most this many requests per minute", positive=True)
    tpm: float | None = option(None, "at most this many tokens per minute", positive=True)
    max_cost: float | None = option(None, "stop sending new requests once this many USD are spent",
                                    positive=True)
    prices: str | None = option(None, "TOML price file extending the shipped table")
    initial_backoff: float = option(0.5, "seconds before the first retry, doubling after each "
                                    "(default: 0.5)", positive=True)
    max_backoff: float = option(8.0, "longest wait between retries (default: 8)", positive=True)
    client_processes: int | None = option(
        None, "processes sending requests, each with its own SDK client (default: one per CPU "
        "from --concurrency 64 up, else 1)", least=1)
    transport: str = option("auto", "HTTP under the SDK: aiohttp, httpx, or auto (aiohttp when installed)",
                            choices=("auto", "aiohttp", "httpx"))
    batch: bool = option(False, "send the requests through the provider's batch API (batch prices, "
                         "answers within 24 h); running again, or --resume, re-attaches to the batches")
    batch_poll: float = option(30.0, "--batch: seconds between looks at the batches, growing gently "
                               "while nothing changes (default: 30)", positive=True)
    batch_limit: int | None = option(None, "--batch: at most this many requests per batch (default: "
                                     "the provider's limit)", least=1)


@dataclass(frozen=True)
class HFOptions:
    """hf/: Hugging Face transformers in-process."""

    dtype: str = dtype_option()
    device: str | None = device_option()
    batch_size: int = batch_size_option()


@dataclass(frozen=True)
class VLLMOptions:
    """vllm/: the vLLM engine in-process (GPU, or its CPU build)."""

    dtype: str = dtype_option()
    device: str | None = device_option()
    tensor_parallel_size: int = option(1, "vllm: GPUs per model, splitting each layer", least=1)
    pipeline_parallel_size: int = option(1, "vllm: GPUs per model, splitting the layers in stages",
                                         least=1)
    data_parallel_size: int = option(1, "vllm: copies of the model serving requests side by side",
                                     least=1)
    max_model_len: int | None = max_model_len_option()
    kv_cache_gib: float | None = option(None, "vllm: GiB of memory for the KV cache (default on "
                                        "CPU: 2, or VLLM_CPU_KVCACHE_SPACE; on a GPU: vLLM's own)",
                                        positive=True)


@dataclass(frozen=True)
class LlamaCppOptions:
    """llamacpp/: llama.cpp on a GGUF file in-process."""

    threads: int | None = option(None, "llamacpp: CPU threads in all (default: the machine's cores)",
                                 least=1)
    parallel: int | None = option(None, "llamacpp: contexts side by side, each with "
                                  "threads/parallel threads (default: one per 4 threads)", least=1)
    batch_size: int = batch_size_option()
    gpu_layers: int = option(0, "llamacpp: layers offloaded to a GPU (-1: all; default: 0)", least=-1)
    max_model_len: int | None = max_model_len_option()


ENGINE_TYPES: dict[str, type] = {
    "hosted": HostedOptions, "hf": HFOptions, "vllm": VLLMOptions, "llamacpp": LlamaCppOptions,
}


@dataclass(frozen=True)
class EngineOptions:
    """The options of every engine, by engine."""

    hosted: HostedOptions = field(default_factory=HostedOptions)
    hf: HFOptions = field(default_factory=HFOptions)
    vllm: VLLMOptions = field(default_factory=VLLMOptions)
    llamacpp: LlamaCppOptions = field(default_factory=LlamaCppOptions)

    def check(self) -> None:
        """One clear error for the first value out of range."""
        for engine in ENGINE_TYPES:
            check(getattr(self, engine))

    def with_settings(self, settings: dict[str, Any]) -> EngineOptions:
        """These options with flat settings (`{"dtype": "bfloat16"}`) applied to every engine
        that has a field of that name; an unknown name is an error."""
        unknown = set(settings) - set(OWNERS)
        if unknown:
            raise EvalsuiteError(f"unknown engine option {sorted(unknown)[0]!r}")
        changed = {}
        for engine in ENGINE_TYPES:
            current = getattr(self, engine)
            mine = {name: value for name, value in settings.items() if engine in OWNERS[name]}
            changed[engine] = dataclasses.replace(current, **mine) if mine else current
        return EngineOptions(**changed)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {engine: dataclasses.asdict(getattr(self, engine)) for engine in ENGINE_TYPES}

    @classmethod
    def from_dict(cls, data: dict[str, dict[str, Any]]) -> EngineOptions:
        """The inverse of `to_dict` (fields a newer or older version wrote are ignored)."""
        engines = {}
        for engine, kind in ENGINE_TYPES.items():
            known = {f.name for f in fields(kind)}
            engines[engine] = kind(**{k: v for k, v in (data.get(engine) or {}).items() if k in known})
        return cls(**engines)


def _owners() -> dict[str, tuple[str, ...]]:
    owners: dict[str, tuple[str, ...]] = {}
    for engine, kind in ENGINE_TYPES.items():
        for item in fields(kind):
            owners[item.name] = (*owners.get(item.name, ()), engine)
    return owners


OWNERS = _owners()  # option name -> the engines that have it


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def option_fields() -> dict[str, dataclasses.Field]:
    """Each option's field, once per name (the first engine that declares it)."""
    found: dict[str, dataclasses.Field] = {}
    for kind in ENGINE_TYPES.values():
        for item in fields(kind):
            found.setdefault(item.name, item)
    return found


def check(options: Any) -> None:
    """Raise EvalsuiteError naming the flag of the first value out of its range."""
    for item in fields(options):
        value = getattr(options, item.name)
        meta = item.metadata
        if value is None:
            continue
        if meta.get("choices") and value not in meta["choices"]:
            raise EvalsuiteError(f"unknown {flag(item.name)} {value!r}: use one of {', '.join(meta['choices'])}")
        if meta.get("least") is not None and value < meta["least"]:
            raise EvalsuiteError(f"{flag(item.name)} must be {meta['least']:g} or more, got {value:g}")
        if meta.get("positive") and value <= 0:
            raise EvalsuiteError(f"{flag(item.name)} must be more than 0, got {value:g}")
