"""The adaptive bound on requests in flight (AIMD) and the per-minute spacing."""

from __future__ import annotations

import asyncio

from evalsuite.backends.limits import AdaptiveLimit


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_429_halves_the_limit_once_per_window():
    clock = Clock()
    limit = AdaptiveLimit(64, clock)
    limit.throttled(1.0)
    limit.throttled(1.0)  # the same burst: no second decrease
    assert limit.allowed == 32
    clock.now += 1.0
    limit.throttled(1.0)
    assert limit.allowed == 16


def test_answers_raise_the_limit_about_one_per_round_trip_up_to_the_ceiling():
    limit = AdaptiveLimit(8, Clock())
    limit.throttled(1.0)
    assert limit.allowed == 4
    for _ in range(5):  # about one round trip at 4 to 5 in flight
        limit.succeeded()
    assert limit.allowed == 5
    for _ in range(100):
        limit.succeeded()
    assert limit.allowed == 8


def test_the_limit_never_falls_below_one():
    clock = Clock()
    limit = AdaptiveLimit(4, clock)
    for _ in range(10):
        clock.now += 5
        limit.throttled(1.0)
    assert limit.allowed == 1


def test_holders_wait_while_the_limit_is_reached_and_go_when_one_leaves():
    async def scenario() -> list[str]:
        limit = AdaptiveLimit(2, Clock())
        events: list[str] = []

        async def holder(name: str, hold: asyncio.Event) -> None:
            await limit.acquire()
            events.append(f"{name} in")
            await hold.wait()
            limit.release()

        gates = {name: asyncio.Event() for name in "abc"}
        tasks = [asyncio.create_task(holder(name, gates[name])) for name in "abc"]
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert events == ["a in", "b in"] and limit.in_flight == 2
        gates["a"].set()
        for _ in range(5):
            await asyncio.sleep(0)
        assert events == ["a in", "b in", "c in"]
        gates["b"].set()
        gates["c"].set()
        await asyncio.gather(*tasks)
        assert limit.in_flight == 0
        return events

    asyncio.run(scenario())


def test_a_lowered_limit_admits_no_one_new_until_enough_have_left():
    async def scenario() -> None:
        limit = AdaptiveLimit(4, Clock())
        for _ in range(4):
            await limit.acquire()
        limit.throttled(1.0)  # now 2 allowed, 4 in flight
        waiting = asyncio.create_task(limit.acquire())
        limit.release()
        await asyncio.sleep(0)
        assert not waiting.done()  # 3 in flight, 2 allowed
        limit.release()
        limit.release()
        await asyncio.sleep(0)
        assert waiting.done() and limit.in_flight == 2

    asyncio.run(scenario())


def test_a_stray_429_among_many_answers_leaves_the_limit_alone():
    clock = Clock()
    limit = AdaptiveLimit(64, clock)
    for _ in range(40):  # 40 answers within the last second, then one 429: 1 in 41
        clock.now += 0.02
        limit.succeeded()
    limit.throttled(1.0)
    assert limit.allowed == 64


def test_429s_that_make_a_quarter_of_the_window_halve_the_limit():
    clock = Clock()
    limit = AdaptiveLimit(64, clock)
    for _ in range(9):  # then 3 rate-limited: a quarter of the window's 12 answers
        clock.now += 0.05
        limit.succeeded()
    limit.throttled(1.0)
    limit.throttled(1.0)
    assert limit.allowed == 64  # 2 of 11 so far
    limit.throttled(1.0)
    assert limit.allowed == 32


def test_answers_older_than_the_window_do_not_dilute_a_new_burst_of_429s():
    clock = Clock()
    limit = AdaptiveLimit(64, clock)
    for _ in range(100):
        limit.succeeded()
    clock.now += 2.0  # those 100 answers lie outside the 1 s window of the next 429
    limit.throttled(1.0)
    assert limit.allowed == 32
