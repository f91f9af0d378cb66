"""`--batch`: a hosted model's requests sent through its provider's batch API.

A Backend like the others (`stream` yields each completion as it is read, so the response
cache and samples.jsonl get it at once), with the batches recorded in the run directory's
journal the moment they are created. Each request's custom id is its cache key, so results
map back in whatever order they come, and a run started again re-attaches: a request in a
batch still in flight, or whose batch has ended with results not yet read, is never sent
again. Errored and expired items are resubmitted in new batches, up to `--max-retries`
rounds, then recorded as failures; `--max-cost` counts each submitted batch at its upper
bound before the next is submitted.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from evalsuite.backends.base import Completion, Failure, Request
from evalsuite.backends.batch_journal import BatchJournal, BatchRecord
from evalsuite.backends.cache import request_key
from evalsuite.backends.cost import completion_cost, estimate_cost
from evalsuite.backends.hosted import HOSTED, HostedModel, _module
from evalsuite.backends.options import HostedOptions
from evalsuite.errors import EvalsuiteError
from evalsuite.progress import ProgressBar

POLL_GROWTH = 1.25  # each look that finds nothing new waits this much longer, up to 8 polls
CALL_ATTEMPTS = 6  # tries of one submit / look / read call on transient errors


def batch_apis(model: HostedModel, options: HostedOptions):
    """The provider's batch API over a fresh SDK client (the SDK is imported now)."""
    from evalsuite.backends.batch_apis import AnthropicBatches, OpenAIBatches

    api = getattr(_module(model.provider), HOSTED[model.provider][1])(
        model.name, api_key=model.api_key, base_url=model.base_url, timeout=options.timeout,
        transport=options.transport,
    )
    return (OpenAIBatches if model.provider == "openai" else AnthropicBatches)(api)


class BatchBackend:
    """A hosted model by batch; `journal_dir` is the run directory (None: nowhere to record
    the batches, which a batch run refuses)."""

    def __init__(self, model: HostedModel, options: HostedOptions, run_directory: Path | None) -> None:
        if run_directory is None:
            raise EvalsuiteError("--batch needs a run directory to record its batches in")
        self.name = f"{model.provider}/{model.name}"
        self.model = model
        self.options = options
        self.cache_identity = model.identity
        self.journal = BatchJournal(run_directory)
        self.spent_usd = 0.0
        self.submitted = 0  # requests this process put in new batches
        self._apis = None

    def endpoint(self, request: Request) -> str:
        return self.model.endpoint(request)

    @property
    def apis(self):
        if self._apis is None:
            self._apis = batch_apis(self.model, self.options)
        return self._apis

    def key(self, request: Request) -> str:
        return request_key(self.cache_identity, self.endpoint(request), request)

    async def stream(self, requests: Sequence[Request]) -> AsyncIterator[tuple[int, Completion]]:
        """Yield (position, Completion) as results are read, batch by batch."""
        run = _Run(self, requests)
        async for key, completion in run.answers():
            for position in run.positions[key]:
                yield position, completion

    async def call(self, what: str, function, *args):
        """One API call, retried on transient errors; fatal ones stop the run in one line."""
        for attempt in range(1, CALL_ATTEMPTS + 1):
            try:
                return await function(*args)
            except Exception as error:  # noqa: BLE001 - classified below
                failure = self.apis.api.classify(error)
                if failure is None:
                    raise
                status = getattr(error, "status_code", None)
                if status == 404 and what in ("submit", "look"):
                    raise EvalsuiteError(f"{self.name}: {self.model.base_url or 'the API'} has no "
                                         f"batch API (HTTP 404 on {what})") from None
                if failure.fatal or not failure.retry or attempt == CALL_ATTEMPTS:
                    raise EvalsuiteError(f"{self.name}: batch {what} failed: {failure.message}") from None
                await asyncio.sleep(failure.retry_after_s or min(8.0, 0.5 * 2 ** attempt))

    async def cancel_all(self) -> int:
        """Cancel this model's batches of the run that are not yet read; how many."""
        cancelled = 0
        for record in self.journal.records():
            if record.model == self.name and not record.collected and not record.cancelled:
                await self.call("cancel", self.apis.cancel, record.batch_id)
                self.journal.mark(record, cancelled=True)
                cancelled += 1
        return cancelled

    async def aclose(self) -> None:
        if self._apis is not None:
            await self._apis.api.aclose()


class _Run:
    """One `stream` call: which keys are wanted, which batch owns each, and the rounds."""

    def __init__(self, backend: BatchBackend, requests: Sequence[Request]) -> None:
        self.backend = backend
        self.positions: dict[str, list[int]] = {}
        self.requests: dict[str, Request] = {}
        for position, request in enumerate(requests):
            key = backend.key(request)
            self.positions.setdefault(key, []).append(position)
            self.requests.setdefault(key, request)
        self.owner: dict[str, BatchRecord] = {}  # key -> the batch whose answer it awaits
        self.live: list[BatchRecord] = []
        # batch id -> (succeeded, errored, expired, processing, size), as the provider counts
        self.counts: dict[str, tuple[int, int, int, int, int]] = {}
        self.rounds = backend.options.max_retries

    async def answers(self) -> AsyncIterator[tuple[str, Completion]]:
        self._reattach()
        fresh = [key for key in self.requests if key not in self.owner]
        async for answer in self._submit(fresh, 0):
            yield answer
        progress = ProgressBar(sum(len(r.custom_ids) for r in self.live), label="batch",
                               unit="req", extra=self._counts_text)
        interval = self.backend.options.batch_poll
        with progress:
            while self.live:
                states = await asyncio.gather(*(self.backend.call("look", self.backend.apis.state,
                                                                  r.batch_id) for r in self.live))
                ended = [(record, state) for record, state in zip(list(self.live), states) if state.ended]
                self._show(progress, states)
                for record, state in ended:
                    async for answer in self._collect(record, state):
                        yield answer
                if ended:
                    interval = self.backend.options.batch_poll
                elif self.live:
                    await asyncio.sleep(interval * random.uniform(0.9, 1.1))
                    interval = min(interval * POLL_GROWTH, 8 * self.backend.options.batch_poll)

    def _reattach(self) -> None:
        """Take over the batches an earlier process left unread; their keys are not resent."""
        for record in self.backend.journal.records():
            if record.model != self.backend.name or record.server != self.backend.model.base_url:
                continue
            if record.collected:
                continue
            mine = [key for key in record.custom_ids if key in self.requests]
            for key in mine:
                self.owner[key] = record  # a later round's batch wins over an earlier one
            if mine:
                self.live.append(record)
            else:  # every answer of it is recorded already
                self.backend.journal.mark(record, collected=True)

    async def _submit(self, keys: list[str], round_: int) -> AsyncIterator[tuple[str, Completion]]:
        """Put `keys` in as many batches as the limits need (those over budget are answered
        with a budget error instead); each batch is recorded as soon as it exists."""
        backend, apis = self.backend, self.backend.apis
        limit = min(apis.max_requests, backend.options.batch_limit or apis.max_requests)
        groups: dict[str, list[str]] = {}
        for key in keys:
            groups.setdefault(apis.endpoint(self.requests[key]), []).append(key)
        for endpoint, members in groups.items():
            chunk: list[str] = []
            items: list[bytes] = []
            size = 0
            upper = 0.0
            for key in members:
                item = apis.item(key, self.requests[key])
                cost = self._upper_bound(key)
                if chunk and (len(chunk) >= limit or size + len(item) > apis.max_bytes):
                    await self._create(endpoint, chunk, items, round_, upper)
                    chunk, items, size, upper = [], [], 0, 0.0
                if not self._affordable(upper + cost):
                    yield key, self._over_budget()
                    continue
                chunk.append(key)
                items.append(item)
                size += len(item)
                upper += cost
            if chunk:
                await self._create(endpoint, chunk, items, round_, upper)

    async def _create(self, endpoint: str, keys: list[str], items: list[bytes], round_: int,
                      upper: float) -> None:
        backend = self.backend
        batch_id, file_id = await backend.call("submit", backend.apis.submit, endpoint, items)
        record = backend.journal.created(BatchRecord(
            model=backend.name, server=backend.model.base_url, batch_id=batch_id,
            endpoint=endpoint, custom_ids=tuple(keys), round=round_,
            upper_bound_usd=upper if backend.model.price else None, input_file_id=file_id,
        ))
        backend.submitted += len(keys)
        for key in keys:
            self.owner[key] = record
        self.live.append(record)

    def _upper_bound(self, key: str) -> float:
        estimate = estimate_cost(self.requests[key], self.backend.model.price)
        return estimate.cost_usd or 0.0

    def _committed(self) -> float:
        """Spent, plus the upper bound of every batch not yet read."""
        return self.backend.spent_usd + sum(r.upper_bound_usd or 0.0 for r in self.live)

    def _affordable(self, more: float) -> bool:
        budget = self.backend.options.max_cost
        return budget is None or self._committed() + more <= budget

    def _over_budget(self) -> Completion:
        budget = self.backend.options.max_cost
        return Completion(text="", error=f"budget: --max-cost {budget:g} USD committed "
                          f"({self._committed():.4f} USD at most); request not sent")

    async def _collect(self, record: BatchRecord, state) -> AsyncIterator[tuple[str, Completion]]:
        """Read an ended batch's results; resubmit what it errored or expired."""
        backend = self.backend
        retry: list[str] = []
        seen: set[str] = set()

        def request_of(custom_id: str) -> Request | None:
            return self.requests[custom_id] if self.owner.get(custom_id) is record else None

        if state.failure is None:
            reading = backend.apis.results(record.batch_id, request_of)
            async for key, outcome in reading:
                if key in seen:
                    continue
                seen.add(key)
                answer = self._settle(key, outcome, record, retry)
                if answer is not None:
                    yield key, answer
        why = state.failure or "the batch ended without an answer for it"
        for key in [k for k in record.custom_ids if self.owner.get(k) is record and k not in seen]:
            answer = self._settle(key, Failure(state.unfinished, why, retry=True), record, retry)
            if answer is not None:
                yield key, answer
        self.live.remove(record)
        async for answer in self._submit(retry, record.round + 1):  # recorded before the mark
            yield answer
        backend.journal.mark(record, collected=True)

    def _settle(self, key: str, outcome: Completion | Failure, record: BatchRecord,
                retry: list[str]) -> Completion | None:
        """The answer to record for `key`, or None when it goes into the next round."""
        del self.owner[key]
        if isinstance(outcome, Completion):
            cost = completion_cost(outcome, self.requests[key], self.backend.model.price)
            self.backend.spent_usd += cost or 0.0
            return dataclasses.replace(outcome, cost_usd=cost, batch_id=record.batch_id)
        if outcome.fatal:
            raise EvalsuiteError(f"{self.backend.name}: {outcome.message}")
        if outcome.retry and record.round < self.rounds:
            retry.append(key)
            return None
        rounds = f" (gave up after {record.round + 1} batch rounds)" if outcome.retry else ""
        return Completion(text="", error=f"{outcome.cause}: {outcome.message}{rounds}",
                          batch_id=record.batch_id)

    def _show(self, progress: ProgressBar, states) -> None:
        """The bar from the provider's counts: requests of every batch seen, and those ended."""
        for record, state in zip(self.live, states):
            self.counts[record.batch_id] = (state.succeeded, state.errored, state.expired,
                                            state.processing, len(record.custom_ids))
        progress.total = sum(c[4] for c in self.counts.values())
        finished = sum(c[0] + c[1] + c[2] for c in self.counts.values())
        if finished > progress.done:
            progress.update(finished - progress.done)

    def _counts_text(self) -> str:
        succeeded, errored, expired, processing = (sum(c[i] for c in self.counts.values())
                                                   for i in range(4))
        return (f"succeeded {succeeded} errored {errored} expired {expired} "
                f"processing {processing}")
