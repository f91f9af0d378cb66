"""One policy for every hosted API: bounded concurrency, rate limits, retries, timeouts, budget.

A `ProviderAPI` sends one request once; `ConcurrentBackend` makes it a `Backend`. The SDKs'
own retries are off, so the rules here are the only ones: retry what the provider classifies
as transient (with tenacity: exponential backoff and jitter, or the server's Retry-After),
pause every worker while 429s arrive, record a rejected request as that Completion's error,
and stop the run with an EvalsuiteError on a fatal failure (bad key, model or base URL).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from evalsuite.backends.base import Completion, Failure, ProviderAPI, Request
from evalsuite.backends.cost import Price, completion_cost, estimate_input_tokens
from evalsuite.errors import EvalsuiteError


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one request. Waits grow as initial × 2^n plus up to `jitter_s`,
    capped at `max_backoff_s`; a server's Retry-After wins, capped at `max_retry_after_s`
    so that no run waits unboundedly."""

    max_retries: int = 6
    timeout_s: float = 120.0
    initial_backoff_s: float = 1.0
    max_backoff_s: float = 60.0
    jitter_s: float = 1.0
    max_retry_after_s: float = 300.0


class RateLimiter:
    """Spaces acquisitions so that at most `per_minute` units pass per minute, evenly."""

    def __init__(self, per_minute: float) -> None:
        self._seconds_per_unit = 60.0 / per_minute
        self._next_free = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self, units: float = 1.0) -> None:
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next_free)
            self._next_free = start + units * self._seconds_per_unit
        if start > now:
            await asyncio.sleep(start - now)


class ConcurrentBackend:
    """A Backend over one ProviderAPI, with at most `concurrency` requests in flight."""

    def __init__(
        self,
        api: ProviderAPI,
        *,
        concurrency: int = 16,
        policy: RetryPolicy = RetryPolicy(),
        rpm: float | None = None,
        tpm: float | None = None,
        price: Price | None = None,
        max_cost_usd: float | None = None,
    ) -> None:
        self.api = api
        self.name = f"{api.provider}/{api.model}"
        self.concurrency = concurrency
        self.policy = policy
        self.price = price
        self.max_cost_usd = max_cost_usd
        self.spent_usd = 0.0
        self._requests_limiter = RateLimiter(rpm) if rpm else None
        self._tokens_limiter = RateLimiter(tpm) if tpm else None
        self._resume_at = 0.0  # monotonic time before which no worker sends (after a 429)

    @property
    def cache_identity(self) -> dict[str, object]:
        return {"provider": self.api.provider, "model": self.api.model,
                "base_url": self.api.base_url}

    def endpoint(self, request: Request) -> str:
        return self.api.endpoint(request)

    async def stream(self, requests: Sequence[Request]) -> AsyncIterator[tuple[int, Completion]]:
        """Yield (position, Completion) as each request completes, in completion order."""
        results: asyncio.Queue[tuple[int, Completion | Exception]] = asyncio.Queue()
        pending = iter(enumerate(requests))

        async def worker() -> None:
            for position, request in pending:  # one shared iterator: each request once
                try:
                    completion = await self.complete(request)
                except Exception as error:  # noqa: BLE001 - the consumer re-raises it
                    await results.put((position, error))
                    return  # send nothing more; the consumer stops the run
                await results.put((position, completion))

        workers = [asyncio.create_task(worker())
                   for _ in range(min(self.concurrency, len(requests)))]
        try:
            for _ in range(len(requests)):
                position, outcome = await results.get()
                if isinstance(outcome, Exception):
                    raise outcome
                yield position, outcome
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def complete(self, request: Request) -> Completion:
        """One request through the whole policy; raises EvalsuiteError on a fatal failure."""
        if self.max_cost_usd is not None and self.spent_usd >= self.max_cost_usd:
            return Completion(text="", error=f"budget: --max-cost {self.max_cost_usd:g} USD "
                              f"spent ({self.spent_usd:.4f} USD); request not sent")
        attempts = 0
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception(self._should_retry),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    completion = await self._attempt(request)
        except Exception as error:
            failure = self._classify(error)
            if failure is None:
                raise
            if failure.fatal:
                raise EvalsuiteError(f"{self.name}: {failure.message}") from None
            tries = f" (gave up after {attempts} attempts)" if failure.retry else ""
            return Completion(text="", error=f"{failure.cause}: {failure.message}{tries}")
        cost = completion_cost(completion, request, self.price)
        if cost is not None:
            self.spent_usd += cost
        return dataclasses.replace(completion, cost_usd=cost)

    async def _attempt(self, request: Request) -> Completion:
        delay = self._resume_at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if self._requests_limiter:
            await self._requests_limiter.acquire()
        if self._tokens_limiter:
            tokens = estimate_input_tokens(request) + request.params.max_tokens
            await self._tokens_limiter.acquire(tokens)
        started = time.perf_counter()
        completion = await asyncio.wait_for(self.api.generate(request), self.policy.timeout_s)
        return dataclasses.replace(completion, latency_s=time.perf_counter() - started)

    def _classify(self, error: BaseException) -> Failure | None:
        if isinstance(error, asyncio.TimeoutError):
            return Failure("timeout", f"no answer within {self.policy.timeout_s:g} s", retry=True)
        if not isinstance(error, Exception):
            return None
        return self.api.classify(error)

    def _should_retry(self, error: BaseException) -> bool:
        failure = self._classify(error)
        return failure is not None and failure.retry

    def _wait(self, state: RetryCallState) -> float:
        policy = self.policy
        error = state.outcome.exception() if state.outcome else None
        failure = self._classify(error) if error else None
        if failure is not None and failure.retry_after_s is not None:
            delay = min(failure.retry_after_s, policy.max_retry_after_s)
        else:
            exponential = policy.initial_backoff_s * 2 ** (state.attempt_number - 1)
            delay = min(policy.max_backoff_s, exponential + random.uniform(0, policy.jitter_s))
        if failure is not None and failure.cause == "rate_limit":
            # Every worker holds off, not only the one that was told to slow down.
            self._resume_at = max(self._resume_at, time.monotonic() + delay)
        return delay

    async def aclose(self) -> None:
        await self.api.aclose()
