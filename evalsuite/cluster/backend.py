"""The driver's side of a run on Ray: a Backend whose requests are answered by engine workers.

Workers are Ray actors (`EngineWorker`), each holding one copy of the engine. The driver
hands out small chunks as workers free up, longest prompts first; the requests of a worker
that dies go to another one, at most `MAX_TRIES` times each, then come back as failures.
Only the driver caches and records, so a run on Ray keeps every guarantee of a local one.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from evalsuite import __version__
from evalsuite.backends import split_model
from evalsuite.backends.base import Completion, Request
from evalsuite.backends.options import EngineOptions
from evalsuite.cluster.options import RayOptions
from evalsuite.cluster.resources import plan_workers, smallest_chunk
from evalsuite.cluster.schedule import MAX_TRIES, WorkQueue
from evalsuite.cluster.worker import EngineWorker, WorkerInfo, WorkerRefusal
from evalsuite.errors import EvalsuiteError

TOKEN_FILE = Path.home() / ".ray" / "auth_token"
if "RAY_AUTH_MODE" not in os.environ and TOKEN_FILE.is_file():
    # A cluster started on this machine (ray start, ray.init) guards itself with this token,
    # but Ray's client sends it to a given address only in token mode, read at import.
    os.environ["RAY_AUTH_MODE"] = "token"

try:
    import ray
    from ray.exceptions import NodeDiedError, ObjectLostError, RayActorError, WorkerCrashedError
except ImportError as error:  # pragma: no cover - check_cluster_run says it first
    raise EvalsuiteError("--ray needs Ray: pip install 'evalsuite[ray]'") from error

CHUNKS_IN_FLIGHT = 2  # per worker: one computing, one waiting, so a worker never idles on the driver
WORKER_LOST = (RayActorError, WorkerCrashedError, NodeDiedError, ObjectLostError)


def connect(address: str) -> None:
    """Join the cluster at `address` (`auto`: RAY_ADDRESS, else a local cluster started for
    this process). A process already connected to Ray keeps its connection."""
    if ray.is_initialized():
        return
    target = (os.environ.get("RAY_ADDRESS") or "local") if address == "auto" else address
    local = {"include_dashboard": False} if target == "local" else {}
    try:
        ray.init(address=target, logging_level=logging.WARNING, **local)
    except (ConnectionError, RuntimeError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise EvalsuiteError(f"--ray {address}: cannot join the Ray cluster ({first_line})") from None


@dataclass
class Slot:
    """One worker as the driver sees it."""

    handle: object
    info: WorkerInfo | None = None
    alive: bool = True
    in_flight: int = 0


class RayBackend:
    """A Backend over Ray engine workers for `model`. Construction starts the workers and
    waits for the first to load its engine (its cache identity names the model's answers)."""

    def __init__(self, model: str, engines: EngineOptions, options: RayOptions) -> None:
        self.name = model
        provider = split_model(model)[0]
        connect(options.address)
        count, shape = plan_workers(provider, engines, options.workers,
                                    ray.available_resources(), ray.cluster_resources())
        actor = ray.remote(EngineWorker).options(num_cpus=shape.cpus, num_gpus=shape.gpus, max_restarts=0)
        self.slots = [Slot(actor.remote(model, engines)) for _ in range(count)]
        self.smallest_chunk = smallest_chunk(provider, engines)
        self.requeued = 0  # requests given to another worker after theirs died
        self.deaths: list[str] = []
        self._starting = {slot.handle.ready.remote(): slot for slot in self.slots}
        self.cache_identity = self._first_ready().identity

    def _first_ready(self) -> WorkerInfo:
        while self._starting:
            [ref], _ = ray.wait(list(self._starting), num_returns=1)
            slot = self._starting.pop(ref)
            try:
                self._started(slot, ray.get(ref))
            except WORKER_LOST as error:
                self._bury(slot, error)
                continue
            return slot.info
        self._kill_all()
        raise EvalsuiteError(
            f"no Ray worker could start {self.name} ({self.deaths[0]}); is evalsuite installed, "
            "at this version, on every node? (README: On a cluster)"
        )

    def _started(self, slot: Slot, answer: WorkerInfo | WorkerRefusal) -> None:
        if isinstance(answer, WorkerRefusal):
            self._kill_all()
            raise EvalsuiteError(answer.message)
        if answer.version != __version__:
            self._kill_all()
            raise EvalsuiteError(
                f"the Ray worker on {answer.host} runs evalsuite {answer.version} and this driver "
                f"{__version__}: install the same version on every node"
            )
        slot.info = answer

    def _bury(self, slot: Slot, error: Exception) -> None:
        if slot.alive:
            slot.alive = False
            self.deaths.append(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)
            ray.kill(slot.handle)

    def worker_pids(self) -> list[int]:
        """Process ids of the workers that are loaded and alive."""
        return [slot.info.pid for slot in self.slots if slot.alive and slot.info]

    async def stream(self, requests: Sequence[Request]) -> AsyncIterator[tuple[int, Completion]]:
        queue = WorkQueue(requests, self.smallest_chunk)
        waiting: dict[asyncio.Future, tuple[Slot, list[int] | None]] = {
            asyncio.wrap_future(ref.future()): (slot, None) for ref, slot in self._starting.items()
        }
        self._starting = {}
        returned: set[int] = set()
        self._hand_out(queue, requests, waiting)
        while waiting or len(queue):
            if not waiting:  # requests left and no worker alive or starting: fail them, never hang
                for position in queue.drain():
                    yield position, self._lost(f"every Ray worker died ({len(self.deaths)})")
                return
            done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            answers: list[tuple[int, Completion]] = []
            for future in done:
                slot, positions = waiting.pop(future)
                answers += self._settle(future, slot, positions, queue)
            self._hand_out(queue, requests, waiting)  # before yielding: workers stay busy
            for position, completion in answers:
                if position not in returned:  # a chunk answers once; this guards the promise
                    returned.add(position)
                    yield position, completion

    def _settle(self, future: asyncio.Future, slot: Slot, positions: list[int] | None,
                queue: WorkQueue) -> list[tuple[int, Completion]]:
        """The answers a finished call brings: a started worker (none), a chunk's completions,
        or, from a dead worker, failures for the requests out of tries (the rest re-queued)."""
        try:
            answer = future.result()
        except WORKER_LOST as error:
            self._bury(slot, error)
            if positions is None:
                return []
            spent = queue.give_back(positions)
            self.requeued += len(positions) - len(spent)
            return [(p, self._lost(f"{MAX_TRIES} Ray workers died holding this request")) for p in spent]
        if positions is None:
            self._started(slot, answer)
            return []
        slot.in_flight -= 1
        if isinstance(answer, WorkerRefusal):
            raise EvalsuiteError(answer.message)
        return answer

    def _hand_out(self, queue: WorkQueue, requests: Sequence[Request],
                  waiting: dict[asyncio.Future, tuple[Slot, list[int] | None]]) -> None:
        ready = [slot for slot in self.slots if slot.alive and slot.info]
        for slot in ready:
            while slot.in_flight < CHUNKS_IN_FLIGHT and len(queue):
                positions = queue.take(len(ready))
                ref = slot.handle.complete.remote([(p, requests[p]) for p in positions])
                waiting[asyncio.wrap_future(ref.future())] = (slot, positions)
                slot.in_flight += 1

    def _lost(self, why: str) -> Completion:
        return Completion(text="", error=f"worker_lost: {why} (last: {self.deaths[-1] if self.deaths else '?'})")

    def _kill_all(self) -> None:
        for slot in self.slots:
            ray.kill(slot.handle)
            slot.alive = False

    async def aclose(self) -> None:
        self._kill_all()  # frees each worker's GPU for the run's next model at once
