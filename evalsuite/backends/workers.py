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
import traceback
from collections import deque
from collections.abc import AsyncIterator, Sequence
from typing import Any, NoReturn

from evalsuite.backends.base import Completion, Request
from evalsuite.backends.hosted import HostedModel, import_sdk, in_process_backend
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
    """The parent's end of one client process; `process` is None for one that the first
    client process forked (its parent is that one, which waits for it)."""

    def __init__(self, process: multiprocessing.process.BaseProcess | None, sock: socket.socket) -> None:
        self.process = process
        self.sock = sock
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.outstanding = 0

    def kill(self) -> None:
        """Stop at once: for a worker holding no work (one without a process of ours stops
        when its socket closes)."""
        self.sock.close()
        if self.process is not None:
            self.process.terminate()

    def join(self, timeout: float) -> None:
        if self.process is not None:
            self.process.join(timeout)
            if self.process.is_alive():
                self.process.terminate()

    @property
    def exitcode(self) -> int | None:
        return None if self.process is None else self.process.exitcode


class WorkerPool:
    """A Backend over `processes` worker processes, started at once. On Linux the first
    imports the SDK and forks the others from itself; where processes are spawned, the first
    imports it at once and the others with their first work."""

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
        ends = [socket.socketpair() for _ in range(processes)]
        if method == "fork":
            # One process imports the SDK and forks the others from itself: one import (about
            # a second of CPU) instead of one per process, and all are ready when it is.
            process = multiprocessing.get_context("fork").Process(
                target=_serve_family, daemon=True, name="evalsuite-client-1",
                args=([child for _, child in ends], [parent.fileno() for parent, _ in ends],
                      model, share))
            process.start()
            processes_of = [process] + [None] * (processes - 1)
        else:
            processes_of = []
            for index, (_, child) in enumerate(ends):
                process = multiprocessing.get_context(method).Process(
                    target=_serve_spawned, daemon=True, name=f"evalsuite-client-{index + 1}",
                    args=(child, model, share, index == 0))
                process.start()
                processes_of.append(process)
        for _, child in ends:
            child.close()
        self._workers = [_Worker(process, parent) for process, (parent, _) in zip(processes_of, ends)]

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
            await asyncio.to_thread(worker.join, 5)
            arrivals.put_nowait((worker, ("died", worker.exitcode)))

    def _over_budget(self) -> Completion:
        return Completion(text="", error=f"budget: --max-cost {self.max_cost_usd:g} USD spent "
                          f"({self.spent_usd:.4f} USD); request not sent")

    def terminate(self) -> None:
        """Stop the workers at once (nothing of theirs is pending)."""
        for worker in self._workers:
            worker.kill()
        for worker in self._workers:
            worker.join(5)

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
            await asyncio.to_thread(worker.join, 10)


def _start_method() -> str:
    """fork where it is safe (Linux, no other thread that could hold a lock), else spawn."""
    return "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"


def _failure(name: str, message: tuple) -> Exception:
    kind, detail = message[0], message[1]
    if kind == "fatal":
        return EvalsuiteError(detail)
    if kind == "died":
        code = "" if detail is None else f" (exit code {detail})"
        return EvalsuiteError(f"{name}: a client process stopped unexpectedly{code}; run again to resume")
    return RuntimeError(f"{name}: a client process failed: {detail}")


def _serve_family(socks: list[socket.socket], parent_ends: list[int], model: HostedModel,
                  options: HostedOptions) -> NoReturn:
    """The first client process where processes fork: import the SDK, fork the other client
    processes from itself (so they start with it imported), serve the first socket, then
    wait for the others to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for descriptor in parent_ends:
        os.close(descriptor)
    try:
        import_sdk(model, options)
    except Exception:  # noqa: BLE001 - every process meets it again and reports it
        pass
    children = []
    for sock in socks[1:]:
        pid = os.fork()
        if pid == 0:
            for other in socks:
                if other is not sock:
                    other.close()
            _serve_then_exit(sock, model, options, children=[])
        children.append(pid)
        sock.close()
    _serve_then_exit(socks[0], model, options, children)


def _serve_then_exit(sock: socket.socket, model: HostedModel, options: HostedOptions,
                     children: list[int]) -> NoReturn:
    """Serve `sock`, wait for the processes this one forked, and exit (skipping the
    interpreter's teardown of a forked copy of the parent)."""
    status = 0
    try:
        _serve(sock, model, options, eager=True)
    except BaseException:  # noqa: BLE001 - printed as multiprocessing prints a process's
        traceback.print_exc()
        status = 1
    for pid in children:
        os.waitpid(pid, 0)
    os._exit(status)


def _serve_spawned(sock: socket.socket, model: HostedModel, options: HostedOptions, eager: bool) -> None:
    """A client process where processes are spawned (each imports the SDK itself)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _serve(sock, model, options, eager)


def _serve(sock: socket.socket, model: HostedModel, options: HostedOptions, eager: bool) -> None:
    """Complete the requests handed over `sock` until told to stop, or the parent is gone."""
    try:
        asyncio.run(_serve_loop(sock, model, options, eager))
    except (ConnectionError, asyncio.IncompleteReadError):
        pass  # the parent went away


async def _serve_loop(sock: socket.socket, model: HostedModel, options: HostedOptions,
                      eager: bool) -> None:
    """Complete requests until told to stop. An `eager` worker makes its client (importing
    the SDK, about a second of CPU, unless it was forked with it) at once, while the parent
    plans the run, and can send as soon as the plan is ready; the others make it with their
    first work, so that a run answered from the cache does not pay for them, nor do they
    take the parent's cores while it plans."""
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
