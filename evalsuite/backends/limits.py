"""How fast to send: an adaptive bound on requests in flight, and even spacing per minute.

`AdaptiveLimit` is AIMD, as TCP does it: rate-limited answers (429) halve the number of
requests allowed on the wire, and every answered request raises it again by 1/limit, so that
it climbs back by about one per round trip, up to the configured concurrency. A limit that is
hit shows as 429s making a real share of the answers: the limit halves when at least a
quarter of the answers of the last Retry-After window were 429s, and at most once per window
(a burst of 429s from one overload is one signal, not many). A stray 429 among many answers
only makes its own request wait its Retry-After. A 429 thus slows the client by what the
server's limit requires; it never stops every worker.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable


THROTTLED_SHARE = 0.25  # 429s among a window's answers that mean the server's limit is hit


class AdaptiveLimit:
    """At most `limit` holders at once; `limit` moves between 1 and `ceiling`."""

    def __init__(self, ceiling: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.ceiling = ceiling
        self.limit = float(ceiling)
        self.in_flight = 0
        self._clock = clock
        self._quiet_until = 0.0  # no second decrease before this moment
        self._waiters: deque[asyncio.Future] = deque()
        self._window_s = 1.0  # how far back answers are weighed: the last Retry-After window
        self._answered: deque[float] = deque()  # when the window's answers (429s included) came
        self._throttled: deque[float] = deque()  # when the window's 429s came

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
        self._answer(self._clock())
        if self.limit < self.ceiling:
            self.limit = min(float(self.ceiling), self.limit + 1.0 / self.limit)
            self._wake()

    def throttled(self, window_s: float) -> None:
        """A rate-limited answer: multiplicative decrease, at most once per `window_s`, when
        429s are at least `THROTTLED_SHARE` of the answers of the last `window_s`."""
        now = self._clock()
        self._window_s = max(window_s, 0.0)
        self._throttled.append(now)
        self._answer(now)
        while self._throttled[0] < now - self._window_s:
            self._throttled.popleft()
        if now >= self._quiet_until and len(self._throttled) >= THROTTLED_SHARE * len(self._answered):
            self.limit = max(1.0, self.limit / 2)
            self._quiet_until = now + max(window_s, 0.0)

    def _answer(self, now: float) -> None:
        self._answered.append(now)
        while self._answered[0] < now - self._window_s:
            self._answered.popleft()

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
