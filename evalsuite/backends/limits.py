"""How fast to send: an adaptive bound on requests in flight, and even spacing per minute.

`AdaptiveLimit` is AIMD, as TCP does it: a rate-limited answer (429) halves the number of
requests allowed on the wire, at most once per Retry-After window (a burst of 429s from one
overload is one signal, not many), and every answered request raises it again by 1/limit, so
that it climbs back by about one per round trip, up to the configured concurrency. A 429 thus
slows the client by what the server's limit requires; it never stops every worker.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable


class AdaptiveLimit:
    """At most `limit` holders at once; `limit` moves between 1 and `ceiling`."""

    def __init__(self, ceiling: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.ceiling = ceiling
        self.limit = float(ceiling)
        self.in_flight = 0
        self._clock = clock
        self._quiet_until = 0.0  # no second decrease before this moment
        self._waiters: deque[asyncio.Future] = deque()

    @property
    def allowed(self) -> int:
        return max(1, int(self.limit))

    async def acquire(self) -> None:
        """Wait for a free place (the fast path awaits nothing)."""
        while self.in_flight >= self.allowed:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        self.in_flight += 1

    def release(self) -> None:
        self.in_flight -= 1
        self._wake()

    def succeeded(self) -> None:
        """An answered request: additive increase, about +1 per `limit` answers."""
        if self.limit < self.ceiling:
            self.limit = min(float(self.ceiling), self.limit + 1.0 / self.limit)
            self._wake()

    def throttled(self, window_s: float) -> None:
        """A rate-limited answer: multiplicative decrease, once per `window_s`."""
        now = self._clock()
        if now >= self._quiet_until:
            self.limit = max(1.0, self.limit / 2)
            self._quiet_until = now + max(window_s, 0.0)

    def _wake(self) -> None:
        free = self.allowed - self.in_flight
        while free > 0 and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                free -= 1


class RateLimiter:
    """Spaces acquisitions so that at most `per_minute` units pass per minute, evenly."""

    def __init__(self, per_minute: float) -> None:
        self._seconds_per_unit = 60.0 / per_minute
        self._next_free = 0.0

    async def acquire(self, units: float = 1.0) -> None:
        now = time.monotonic()  # no await before the update: the reservation is atomic
        start = max(now, self._next_free)
        self._next_free = start + units * self._seconds_per_unit
        if start > now:
            await asyncio.sleep(start - now)
