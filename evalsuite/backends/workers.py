"""A hosted model served by several client processes, for concurrencies where one event
loop's CPU is the limit.

Each worker process has its own SDK client, event loop and share of the concurrency (and of
--rpm/--tpm), and runs the same `ConcurrentBackend` policy (retries, timeouts, 429s) as the
in-process path. The parent hands out requests a few at a time as answers come back, so a
slow worker holds no more than its share, and it receives every completion: it stays the
only writer of the response cache and of samples.jsonl, and it keeps the --max-cost budget.
Messages are length-prefixed pickles over a socket pair, read and written without blocking
either event loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import sys
import threading
from collections import deque
from collections.abc import AsyncIterator, Sequence
from typing import Any

from evalsuite.backends.base import Completion, Request
from evalsuite.backends.hosted import HostedModel, in_process_backend
from evalsuite.backends.options import HostedOptions
from evalsuite.errors import EvalsuiteError

_HEADER = struct.Struct("!I")
_CHUNK = 16  # requests per message to a worker


async def _read(reader: asyncio.StreamReader) -> Any:
    size, = _HEADER.unpack(await reader.readexactly(_HEADER.size))
    return pickle.loads(await reader.readexactly(size))


def _write(writer: asyncio.StreamWriter, message: Any) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    writer.write(_HEADER.pack(len(payload)) + payload)


class _Worker:
    def __init__(self, process: multiprocessing.process.BaseProcess, sock: socket.socket) -> None:
        self.process = process
        self.sock = sock
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.outstanding = 0

    def kill(self) -> None:
        """Stop at once: for a worker holding no work."""
        self.sock.close()
        self.process.terminate()


class WorkerPool:
    """A Backend over `processes` worker processes, started at once (a fork costs little);
    each imports the SDK when its first work arrives."""

    def __init__(self, model: HostedModel, options: HostedOptions, processes: int) -> None:
        self.name = f"{model.provider}/{model.name}"
        self.model = model
        self.cache_identity = model.identity
        self.max_cost_usd = options.max_cost
        self.spent_usd = 0.0
        share = dataclasses.replace(
            options, concurrency=math.ceil(options.concurrency / processes), max_cost=None,
            rpm=options.rpm / processes if options.rpm else None,
            tpm=options.tpm / processes if options.tpm else None, client_processes=1,
        )
        self.window = 2 * share.concurrency  # requests handed to a worker ahead of its answers
        self._generation = 0  # numbers each stream, so that a stopped one's late answers are dropped
        method = _start_method()
        context = multiprocessing.get_context(method)
        self._workers = []
        for _ in range(processes):
            parent_end, child_end = socket.socketpair()
            # A forked child holds copies of the parent's ends, its own and earlier workers':
            # it closes them, so that each worker sees the end of its socket when the parent's
            # end is closed or the parent dies.
            parents = [w.sock.fileno() for w in self._workers] + [parent_end.fileno()]
            eager = not self._workers  # the first imports its SDK at once: see _serve_loop
            process = context.Process(target=_serve, daemon=True,
                                      args=(child_end, model, share, parents if method == "fork" else [],
                                            eager),
                                      name=f"evalsuite-client-{len(self._workers) + 1}")
            process.start()
            child_end.close()
            self._workers.append(_Worker(process, parent_end))

    def endpoint(self, request: Request) -> str:
        return self.model.endpoint(request)

    async def _connect(self) -> None:
        for worker in self._workers:
            if worker.reader is None:
                worker.reader, worker.writer = await asyncio.open_connection(sock=worker.sock)

    async def stream(self, requests: Sequence[Request]) -> AsyncIterator[tuple[int, Completion]]:
        """Yield (position, Completion) in the order answers arrive."""
        await self._connect()
        self._generation += 1
        generation = self._generation
        pending = deque(range(len(requests)))
        arrivals: asyncio.Queue = asyncio.Queue()
        readers = [asyncio.create_task(self._receive(worker, arrivals)) for worker in self._workers]
        remaining = len(requests)
        try:
            self._hand_out(pending, requests, generation)
            while remaining:
                worker, message = await arrivals.get()
                if message[0] != "done":
                    raise _failure(self.name, message)
                if message[1] != generation:
                    continue
                for position, completion in message[2]:
                    worker.outstanding -= 1
                    remaining -= 1
                    self.spent_usd += completion.cost_usd or 0.0
                    yield position, completion
                if self.max_cost_usd is not None and self.spent_usd >= self.max_cost_usd:
                    for position in pending:  # what the budget leaves unsent
                        remaining -= 1
                        yield position, self._over_budget()
                    pending.clear()
                self._hand_out(pending, requests, generation)
        finally:
            for task in readers:
                task.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
            if remaining:  # stopped early: drop what the workers still hold
                for worker in self._workers:
                    if worker.outstanding:
                        _write(worker.writer, ("cancel",))
                        worker.outstanding = 0

    def _hand_out(self, pending: deque, requests: Sequence[Request], generation: int) -> None:
        for worker in self._workers:
            room = self.window - worker.outstanding
            while room > 0 and pending:
                chunk = [pending.popleft() for _ in range(min(room, _CHUNK, len(pending)))]
                work = [(generation, position, requests[position]) for position in chunk]
                _write(worker.writer, ("work", work))
                worker.outstanding += len(chunk)
                room -= len(chunk)

    async def _receive(self, worker: _Worker, arrivals: asyncio.Queue) -> None:
        try:
            while True:
                arrivals.put_nowait((worker, await _read(worker.reader)))
        except (asyncio.IncompleteReadError, ConnectionError):
            worker.process.join(timeout=5)
            arrivals.put_nowait((worker, ("died", worker.process.exitcode)))

    def _over_budget(self) -> Completion:
        return Completion(text="", error=f"budget: --max-cost {self.max_cost_usd:g} USD spent "
                          f"({self.spent_usd:.4f} USD); request not sent")

    def terminate(self) -> None:
        """Stop the workers at once (nothing of theirs is pending)."""
        for worker in self._workers:
            worker.kill()
            worker.process.join(timeout=5)

    async def aclose(self) -> None:
        for worker in self._workers:
            try:
                if worker.writer is not None:
                    _write(worker.writer, ("stop",))
                    await worker.writer.drain()
                    worker.writer.close()
                else:
                    # Never given work (all answered from the cache): nothing to wait for,
                    # not even an SDK import still under way.
                    worker.kill()
            except (ConnectionError, OSError):
                pass
        for worker in self._workers:
            await asyncio.to_thread(worker.process.join, 10)
            if worker.process.is_alive():
                worker.process.terminate()


def _start_method() -> str:
    """fork where it is safe (Linux, no other thread that could hold a lock), else spawn."""
    return "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"


def _failure(name: str, message: tuple) -> Exception:
    kind, detail = message[0], message[1]
    if kind == "fatal":
        return EvalsuiteError(detail)
    if kind == "died":
        return EvalsuiteError(f"{name}: a client process stopped unexpectedly (exit code {detail}); "
                              "run again to resume")
    return RuntimeError(f"{name}: a client process failed: {detail}")


def _serve(sock: socket.socket, model: HostedModel, options: HostedOptions,
           parent_ends: list[int], eager: bool) -> None:
    """A worker process: complete the requests it is handed until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for descriptor in parent_ends:
        os.close(descriptor)
    try:
        asyncio.run(_serve_loop(sock, model, options, eager))
    except (ConnectionError, asyncio.IncompleteReadError):
        pass  # the parent went away
    os._exit(0)  # skip the interpreter's teardown of a forked copy of the parent


async def _serve_loop(sock: socket.socket, model: HostedModel, options: HostedOptions,
                      eager: bool) -> None:
    """Complete requests until told to stop. An `eager` worker imports the SDK (about a
    second of CPU) at once, while the parent plans the run, and can send as soon as the
    plan is ready; the others import it with their first work, so that a run answered
    from the cache does not pay for them, nor do they take the parent's cores while it
    plans."""
    reader, writer = await asyncio.open_connection(sock=sock)
    backend = None
    try:
        if eager:
            backend = in_process_backend(model, options)
        message = await _read(reader)
        if message[0] != "work":  # stopped before any work: a run answered from the cache
            return
        if backend is None:
            backend = in_process_backend(model, options)
    except EvalsuiteError as error:
        _write(writer, ("fatal", str(error)))
        await writer.drain()
        return
    queue: asyncio.Queue = asyncio.Queue()
    answered: dict[int, list[tuple[int, Completion]]] = {}  # by stream
    flushing = asyncio.Event()

    async def send_answers() -> None:
        while True:
            await flushing.wait()
            flushing.clear()
            for generation, batch in list(answered.items()):
                _write(writer, ("done", generation, batch))
            answered.clear()
            await writer.drain()

    async def complete() -> None:
        while True:
            generation, position, request = await queue.get()
            try:
                completion = await backend.complete(request)
            except EvalsuiteError as error:
                _write(writer, ("fatal", str(error)))
                await writer.drain()
                raise
            except Exception as error:  # noqa: BLE001 - reported to the parent, which stops
                _write(writer, ("error", f"{type(error).__name__}: {error}"))
                await writer.drain()
                raise
            answered.setdefault(generation, []).append((position, completion))
            flushing.set()  # answers of the same event-loop tick leave in one message

    tasks = [asyncio.create_task(complete()) for _ in range(options.concurrency)]
    sender = asyncio.create_task(send_answers())
    try:
        while True:
            if message[0] == "work":
                for item in message[1]:
                    queue.put_nowait(item)
            elif message[0] == "cancel":
                while not queue.empty():
                    queue.get_nowait()
            else:
                break
            if any(task.done() for task in tasks):
                break
            message = await _read(reader)
    finally:
        for task in (*tasks, sender):
            task.cancel()
        await asyncio.gather(*tasks, sender, return_exceptions=True)
        await backend.aclose()
