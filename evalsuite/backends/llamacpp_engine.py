"""llama.cpp's C API, through llama-cpp-python's ctypes bindings: one GGUF model, and
contexts that each answer several requests together, in lockstep (see `GGUFContext`).

Only `llamacpp.py` imports this module, and only when a `llamacpp/` model is asked for.
"""

from __future__ import annotations

import ctypes
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import llama_cpp
import numpy as np

from evalsuite.backends.base import Completion, GenerationParams
from evalsuite.errors import EvalsuiteError

GGML_LOG_LEVEL_ERROR = 4  # ggml.h: none, debug, info, warn, error, cont
MICRO_BATCH = 512  # prompt tokens per forward pass
CONTEXT_STEP = 256  # contexts are sized to the longest request so far, in steps of this


@llama_cpp.llama_log_callback
def _log_errors_only(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    # llama.cpp logs every load (dozens of lines) to stderr; only its errors concern a user.
    if level == GGML_LOG_LEVEL_ERROR:
        print(text.decode("utf-8", errors="replace"), end="", flush=True, file=sys.stderr)


llama_cpp.llama_log_set(_log_errors_only, ctypes.c_void_p(0))
llama_cpp.llama_backend_init()


@dataclass
class Job:
    """One request on its way through a context."""

    position: int
    prompt: list[int]
    params: GenerationParams
    generated: list[int] = field(default_factory=list)
    text: bytearray = field(default_factory=bytearray)
    stops: tuple[bytes, ...] = field(init=False)  # the stop strings, as the text's bytes
    started: float = 0.0  # time.perf_counter() when its prompt went in

    def __post_init__(self) -> None:
        self.stops = tuple(stop.encode() for stop in self.params.stop if stop)

    @property
    def budget(self) -> int:
        """KV cells this job may fill: its prompt and its longest answer."""
        return len(self.prompt) + self.params.max_tokens


class GGUFModel:
    """A GGUF file's weights and vocabulary, loaded once and shared by its contexts."""

    def __init__(self, path: Path, *, gpu_layers: int) -> None:
        params = llama_cpp.llama_model_default_params()
        params.n_gpu_layers = gpu_layers
        self.path = path
        self.model = llama_cpp.llama_model_load_from_file(str(path).encode(), params)
        if not self.model:
            raise EvalsuiteError(f"llama.cpp cannot load {path}: not a GGUF model it can read")
        self.vocab = llama_cpp.llama_model_get_vocab(self.model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self.vocab)
        self.trained_context = llama_cpp.llama_model_n_ctx_train(self.model)

    def metadata(self, key: str) -> str | None:
        """A string from the GGUF's metadata (None when the file has no such key)."""
        size = 1 << 16
        while True:
            buffer = ctypes.create_string_buffer(size)
            written = llama_cpp.llama_model_meta_val_str(self.model, key.encode(), buffer, size)
            if written < 0:
                return None
            if written < size:
                return buffer.value.decode("utf-8", errors="replace")
            size = written + 1

    def tokenize(self, text: str, *, special: bool) -> list[int]:
        """Token ids of `text`: plain text gets the model's BOS and no special-token parsing;
        what a chat template wrote (`special`) has its special tokens parsed and no BOS added."""
        data = text.encode("utf-8")
        room = len(data) + 8
        for _ in range(2):
            buffer = (llama_cpp.llama_token * room)()
            count = llama_cpp.llama_tokenize(self.vocab, data, len(data), buffer, room,
                                             not special, special)
            if count >= 0:
                return list(buffer[:count])
            room = -count
        raise RuntimeError("llama_tokenize disagreed with itself about the token count")

    def piece(self, token: int, *, special: bool = False) -> bytes:
        """The bytes a token stands for (control tokens are empty unless `special`)."""
        buffer = ctypes.create_string_buffer(64)
        count = llama_cpp.llama_token_to_piece(self.vocab, token, buffer, 64, 0, special)
        if count < 0:
            buffer = ctypes.create_string_buffer(-count)
            count = llama_cpp.llama_token_to_piece(self.vocab, token, buffer, -count, 0, special)
        return buffer.raw[:count]

    def special_text(self, token: int) -> str:
        return self.piece(token, special=True).decode("utf-8", errors="replace")

    def bos_text(self) -> str:
        return self.special_text(llama_cpp.llama_vocab_bos(self.vocab))

    def eos_text(self) -> str:
        return self.special_text(llama_cpp.llama_vocab_eos(self.vocab))

    def is_end(self, token: int) -> bool:
        """Whether a token ends generation (EOS, or end of turn in chat models)."""
        return bool(llama_cpp.llama_vocab_is_eog(self.vocab, token))

    def close(self) -> None:
        if self.model:
            llama_cpp.llama_model_free(self.model)
            self.model = None


class GGUFContext:
    """One llama.cpp context over a model, answering up to `slots` requests together.

    Each request's prompt is read in a forward pass of its own, then the requests advance in
    lockstep: one forward pass of exactly `slots` tokens per step, one per request (slots
    with no request carry a placeholder token whose cache entry is dropped after the step).
    Every sequence keeps a KV cache of its own (llama.cpp's `kv_unified` off). So the shape
    of every pass depends on the prompt or on `slots` alone, never on which other requests
    share the context, and a request's answer is the same whatever runs beside it (a test
    checks this). Decoding `slots` tokens per pass reads the weights once for all of them:
    on 2 cores, the main job took 67 s with 8 slots against 84 s one request at a time.
    """

    def __init__(self, model: GGUFModel, *, threads: int, slots: int) -> None:
        self.model = model
        self.threads = threads
        self.slots = slots
        self.size = 0  # KV cells per sequence
        self.ctx = None
        self.batch = None
        self.memory = None

    def serve(self, take: Callable[[], Job | None], done: Callable[[Job, Completion], None],
              cancelled: Callable[[], bool] = lambda: False) -> None:
        """Answer jobs from `take` (None: no more) until none is left or `cancelled`,
        handing each finished one to `done` the moment it is finished."""
        active: dict[int, Job] = {}
        more = True
        while not cancelled():
            for slot in range(self.slots):
                while more and slot not in active:
                    job = take()
                    if job is None:
                        more = False
                    elif self._start(slot, job):
                        self._forget(slot)
                        done(job, self._completion(job))
                    else:
                        active[slot] = job
            if not active:
                return
            self._step(active)
            for slot, job in list(active.items()):
                token = choose(self._logits(slot), job.params, len(job.generated))
                if self._advance(job, token):
                    del active[slot]
                    self._forget(slot)
                    done(job, self._completion(job))

    def fit(self, budget: int) -> None:
        """Make room for requests of up to `budget` tokens (prompt and answer) per sequence."""
        if budget <= self.size:
            return
        self.close()
        size = min(-(-budget // CONTEXT_STEP) * CONTEXT_STEP, self.model.trained_context)
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = size * self.slots
        params.n_batch = max(size, self.slots)
        params.n_ubatch = min(MICRO_BATCH, params.n_batch)
        params.n_seq_max = self.slots
        params.kv_unified = False  # a KV cache per sequence: see the class docstring
        params.n_threads = params.n_threads_batch = self.threads
        params.no_perf = True
        self.ctx = llama_cpp.llama_init_from_model(self.model.model, params)
        if not self.ctx:
            raise EvalsuiteError(f"llama.cpp cannot make a context of {self.slots} x {size} tokens "
                                 f"for {self.model.path.name} (out of memory? try a smaller "
                                 "--batch-size or --max-model-len)")
        self.batch = llama_cpp.llama_batch_init(params.n_batch, 0, 1)
        self.memory = llama_cpp.llama_get_memory(self.ctx)
        self.size = size

    def _start(self, slot: int, job: Job) -> bool:
        """Read a job's prompt into `slot` and choose its first token; whether it is done."""
        job.started = time.perf_counter()
        self._forget(slot)  # what a cancelled request may have left
        self._decode([(token, position, slot) for position, token in enumerate(job.prompt)])
        return self._advance(job, choose(self._logits(len(job.prompt) - 1), job.params, 0))

    def _step(self, active: dict[int, Job]) -> None:
        """One forward pass of `slots` tokens: each job's last token, placeholders elsewhere."""
        rows = []
        for slot in range(self.slots):
            job = active.get(slot)
            if job is None:
                rows.append((0, 0, slot))
            else:
                rows.append((job.generated[-1], len(job.prompt) + len(job.generated) - 1, slot))
        self._decode(rows, every_logit=True)
        for slot in range(self.slots):
            if slot not in active:
                self._forget(slot)

    def _decode(self, rows: Sequence[tuple[int, int, int]], every_logit: bool = False) -> None:
        """A forward pass over (token, position, sequence) rows; logits of the last row, or
        of every row."""
        batch = self.batch
        for index, (token, position, sequence) in enumerate(rows):
            batch.token[index] = token
            batch.pos[index] = position
            batch.n_seq_id[index] = 1
            batch.seq_id[index][0] = sequence
            batch.logits[index] = every_logit
        batch.logits[len(rows) - 1] = 1
        batch.n_tokens = len(rows)
        status = llama_cpp.llama_decode(self.ctx, batch)
        if status != 0:
            raise RuntimeError(f"llama_decode failed with status {status}")

    def _forget(self, slot: int) -> None:
        llama_cpp.llama_memory_seq_rm(self.memory, slot, -1, -1)

    def _logits(self, row: int) -> np.ndarray:
        pointer = llama_cpp.llama_get_logits_ith(self.ctx, row)
        return np.ctypeslib.as_array(pointer, shape=(self.model.n_vocab,))

    def _advance(self, job: Job, token: int) -> bool:
        """Add a chosen token to a job; whether the job is finished."""
        job.generated.append(token)
        if self.model.is_end(token):
            return True
        piece = self.model.piece(token)
        job.text += piece
        if job.stops:
            # a new stop string ends within the last piece plus the longest stop string
            window = len(piece) + max(map(len, job.stops))
            if stop_at(bytes(job.text[-window:]), job.stops) is not None:
                return True
        return len(job.generated) >= job.params.max_tokens

    def _completion(self, job: Job) -> Completion:
        text = bytes(job.text)
        cut = stop_at(text, job.stops)
        ended = cut is not None or bool(job.generated) and self.model.is_end(job.generated[-1])
        return Completion(
            text=text[:cut].decode("utf-8", errors="replace"),
            finish_reason="stop" if ended else "length",
            input_tokens=len(job.prompt),
            output_tokens=len(job.generated),
            latency_s=time.perf_counter() - job.started,
        )

    def close(self) -> None:
        if self.ctx:
            llama_cpp.llama_batch_free(self.batch)
            llama_cpp.llama_free(self.ctx)
            self.ctx = self.batch = self.memory = None
            self.size = 0


def choose(logits: np.ndarray, params: GenerationParams, step: int) -> int:
    """The next token: the most likely at temperature 0; above 0, drawn from the softmax at
    that temperature by a generator seeded with the request's seed and the step, so that a
    seeded answer is the same whichever context or thread produced it."""
    if params.temperature <= 0:
        return int(np.argmax(logits))
    rng = np.random.default_rng(None if params.seed is None else (params.seed, step))
    scaled = logits.astype(np.float64) / params.temperature
    weights = np.exp(scaled - scaled.max())
    return int(rng.choice(len(weights), p=weights / weights.sum()))


def stop_at(text: bytes, stops: Sequence[bytes]) -> int | None:
    """Byte offset of the earliest stop string in `text` (None when there is none)."""
    cuts = [index for index in (text.find(stop) for stop in stops) if index >= 0]
    return min(cuts) if cuts else None
