"""One engine on one Ray worker: loaded once, then asked for chunks of completions.

`EngineWorker` is a plain class; the cluster backend makes it a Ray actor. It loads its
engine through `load_backend` with no response cache (only the driver caches and records),
so every provider that `load_backend` knows runs here the same way.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from evalsuite import __version__
from evalsuite.backends import BackendOptions, cache_identity_of, load_backend
from evalsuite.backends.base import Completion, Request
from evalsuite.backends.options import EngineOptions
from evalsuite.errors import EvalsuiteError


@dataclass(frozen=True)
class WorkerInfo:
    """A worker that has loaded its engine: where it runs, and the cache identity of its model."""

    pid: int
    host: str
    version: str
    identity: dict
    load_s: float


@dataclass(frozen=True)
class WorkerRefusal:
    """An error a user can cause (unknown model, missing extra, no chat template), raised on
    the worker and said again on the driver as one line."""

    message: str


class EngineWorker:
    """Loads `model` on construction; `complete` answers a chunk of (position, request)."""

    def __init__(self, model: str, engines: EngineOptions) -> None:
        self.model = model
        # One event loop for the engine's whole life, on a thread of its own: Ray may already
        # run a loop on the thread that calls the methods.
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="engine-loop", daemon=True).start()
        started = time.perf_counter()
        self.refusal: WorkerRefusal | None = None
        try:
            self.backend = self._on_loop(self._load(model, engines))
            self.identity = cache_identity_of(self.backend, model, engines)
        except EvalsuiteError as error:
            self.backend = None
            self.refusal = WorkerRefusal(str(error))
        self.load_s = time.perf_counter() - started

    def ready(self) -> WorkerInfo | WorkerRefusal:
        if self.refusal is not None:
            return self.refusal
        return WorkerInfo(os.getpid(), socket.gethostname(), __version__, self.identity, self.load_s)

    def complete(self, chunk: Sequence[tuple[int, Request]]) -> list[tuple[int, Completion]] | WorkerRefusal:
        """Completions of the chunk's requests, each with its position in the run."""
        if self.refusal is not None:
            return self.refusal
        try:
            return self._on_loop(self._complete(chunk))
        except EvalsuiteError as error:
            return WorkerRefusal(str(error))

    def _on_loop(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    @staticmethod
    async def _load(model: str, engines: EngineOptions):
        # On the engine's loop, for an engine that binds itself to the loop it was made on.
        return load_backend(model, BackendOptions(cache=None, engines=engines))

    async def _complete(self, chunk: Sequence[tuple[int, Request]]) -> list[tuple[int, Completion]]:
        positions = [position for position, _ in chunk]
        answers = []
        async for index, completion in self.backend.stream([request for _, request in chunk]):
            answers.append((positions[index], completion))
        return answers

    def close(self) -> None:
        if self.backend is not None:
            self._on_loop(self.backend.aclose())
            self.backend = None
