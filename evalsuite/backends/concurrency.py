"""One policy for every hosted API: bounded concurrency, rate limits, retries, timeouts, budget.

A `ProviderAPI` sends one request once; `ConcurrentBackend` makes it a `Backend`. The SDKs'
own retries are off, so the rules here are the only ones: retry what the provider classifies
as transient (with tenacity: exponential backoff and jitter, or the server's Retry-After),
halve the requests in flight when 429s arrive and climb back as answers do (`AdaptiveLimit`),
record a rejected request as that Completion's error, and stop the run with an
EvalsuiteError on a fatal failure (bad key, model or base URL).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
)

from evalsuite.backends.base import Completion, Failure, ProviderAPI, Request
from evalsuite.backends.cost import Price, completion_cost, estimate_input_tokens
from evalsuite.backends.limits import AdaptiveLimit, RateLimiter
from evalsuite.errors import EvalsuiteError

THROTTLE_WINDOW_S = 1.0  # one decrease per this long when a 429 names no Retry-After


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one request. Waits grow as initial × 2^n plus up to `jitter_s`,
    capped at `max_backoff_s` (the SDKs' own schedule by default: 0.5 s doubling to 8 s); a
    server's Retry-After wins, capped at `max_retry_after_s` so that no run waits unboundedly."""

    max_retries: int = 6
    timeout_s: float = 120.0
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    jitter_s: float = 0.5
    max_retry_after_s: float = 300.0


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
        self.in_flight = AdaptiveLimit(concurrency)

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
        try:  # the first attempt outside tenacity: most requests need no more, and cost less so
            completion = await self._attempt(request)
        except Exception as error:
            failure = self._failure(error)
            if failure.retry and self.policy.max_retries > 0:
                return await self._retried(request, error)
            return self._failed(failure, attempts=1)
        return self._priced(completion, request)

    async def _retried(self, request: Request, first_error: Exception) -> Completion:
        attempts = 1
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.max_retries), wait=self._wait,
            retry=retry_if_exception(self._should_retry), reraise=True,
        )
        await asyncio.sleep(self._delay(first_error, 1))
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    completion = await self._attempt(request)
        except Exception as error:
            return self._failed(self._failure(error), attempts)
        return self._priced(completion, request)

    def _failure(self, error: Exception) -> Failure:
        failure = self._classify(error)
        if failure is None:
            raise error
        if failure.fatal:
            raise EvalsuiteError(f"{self.name}: {failure.message}") from None
        return failure

    def _failed(self, failure: Failure, attempts: int) -> Completion:
        tries = f" (gave up after {attempts} attempts)" if failure.retry else ""
        return Completion(text="", error=f"{failure.cause}: {failure.message}{tries}")

    def _priced(self, completion: Completion, request: Request) -> Completion:
        cost = completion_cost(completion, request, self.price)
        if cost is not None:
            self.spent_usd += cost
        return dataclasses.replace(completion, cost_usd=cost)

    async def _attempt(self, request: Request) -> Completion:
        if self._requests_limiter:
            await self._requests_limiter.acquire()
        if self._tokens_limiter:
            tokens = estimate_input_tokens(request) + request.params.max_tokens
            await self._tokens_limiter.acquire(tokens)
        await self.in_flight.acquire()
        started = time.perf_counter()
        try:
            completion = await asyncio.wait_for(self.api.generate(request), self.policy.timeout_s)
        except Exception as error:
            failure = self._classify(error)
            if failure is not None and failure.cause == "rate_limit":
                self.in_flight.throttled(failure.retry_after_s or THROTTLE_WINDOW_S)
            raise
        finally:
            self.in_flight.release()
        self.in_flight.succeeded()
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
        error = state.outcome.exception() if state.outcome else None
        return self._delay(error, state.attempt_number + 1)

    def _delay(self, error: BaseException | None, attempt: int) -> float:
        """Seconds before retrying after the `attempt`-th try failed with `error`."""
        policy = self.policy
        failure = self._classify(error) if error else None
        if failure is not None and failure.retry_after_s is not None:
            return min(failure.retry_after_s, policy.max_retry_after_s)
        exponential = policy.initial_backoff_s * 2 ** (attempt - 1)
        return min(policy.max_backoff_s, exponential + random.uniform(0, policy.jitter_s))

    async def aclose(self) -> None:
        await self.api.aclose()
