"""How a run scales over Ray engine workers, on this machine's CPUs.

    python benchmarks/ray_scaling.py                    # all three parts below
    python benchmarks/ray_scaling.py --parts slow overhead --units 1000 10000 100000

A local Ray cluster is started once (its start-up is printed apart: a cluster is started
once, not per run). Then, through the RayBackend that `evalsuite run --ray` uses:
  slow      dummy/slow (50 ms of sleep per request, so 2 cores are not the limit) with 1 and
            2 workers: throughput, speed-up, and the fixed start-up cost (starting the
            workers and loading their engines, plus whatever the run took beyond its
            requests' own time)
  model     the embedded model hf/gemma-3-270m with 1 and 2 workers (one CPU each)
  overhead  dummy/oracle (no cost per request) with 2 workers over 1k to 100k requests: the
            driver's and Ray's own cost per request, and how it grows
"""

from __future__ import annotations

import argparse
import asyncio
import time

from evalsuite.backends.base import GenerationParams, Request
from evalsuite.backends.dummy import SLOW_SECONDS
from evalsuite.backends.options import EngineOptions, HFOptions
from evalsuite.cluster.options import RayOptions


def requests(count: int, max_tokens: int = 16) -> list[Request]:
    """CLRS-like prompts of varying length, each with its gold answer."""
    params = GenerationParams(max_tokens=max_tokens, stop=("\n\n",))
    return [Request(f"minimum:\nkey: [{' '.join(str((i * 7 + j) % 10 / 10) for j in range(4 + i % 12))}]\nminimum:",
                    None, params, gold=f"{i % 10}") for i in range(count)]


def timed_run(model: str, engines: EngineOptions, workers: int, batch: list[Request]) -> tuple[float, float]:
    """(seconds to start the workers and load their engines, seconds from then to the last answer)."""
    from evalsuite.cluster.backend import RayBackend

    started = time.perf_counter()
    backend = RayBackend(model, engines, RayOptions("auto", workers))

    async def drain() -> float:
        ready = time.perf_counter()
        answered = 0
        try:
            async for _, completion in backend.stream(batch):
                answered += completion.error is None
        finally:
            await backend.aclose()
        assert answered == len(batch), f"{len(batch) - answered} requests failed"
        return time.perf_counter() - ready

    streaming = asyncio.run(drain())
    return time.perf_counter() - started - streaming, streaming


def slow(units: int) -> None:
    print(f"\ndummy/slow, {units} requests of {SLOW_SECONDS * 1000:.0f} ms")
    rates = {}
    for workers in (1, 2):
        start, streaming = timed_run("dummy/slow", EngineOptions(), workers, requests(units))
        rates[workers] = units / streaming
        fixed = start + streaming - units * SLOW_SECONDS / workers
        print(f"  {workers} worker(s): {rates[workers]:6.1f} req/s (ideal {workers / SLOW_SECONDS:.0f}); "
              f"start {start:.2f} s; fixed overhead {fixed:.2f} s")
    print(f"  speed-up with 2 workers: {rates[2] / rates[1]:.2f}x (target >= 1.8x)")


def model(units: int) -> None:
    print(f"\nhf/gemma-3-270m, {units} requests, up to 16 new tokens, one CPU per worker")
    engines = EngineOptions(hf=HFOptions(device="cpu", batch_size=4))
    rates = {}
    for workers in (1, 2):
        start, streaming = timed_run("hf/gemma-3-270m", engines, workers, requests(units))
        rates[workers] = units / streaming
        print(f"  {workers} worker(s): {rates[workers]:5.2f} req/s; start and load {start:.1f} s")
    print(f"  speed-up with 2 workers: {rates[2] / rates[1]:.2f}x")


def overhead(counts: list[int]) -> None:
    print("\ndummy/oracle (no cost per request), 2 workers")
    for count in counts:
        batch = requests(count)
        start, streaming = timed_run("dummy/oracle", EngineOptions(), 2, batch)
        print(f"  {count:>7} requests: {streaming:6.2f} s, {streaming / count * 1e6:6.1f} us per request "
              f"(start {start:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", nargs="+", default=["slow", "model", "overhead"],
                        choices=("slow", "model", "overhead"))
    parser.add_argument("--slow-units", type=int, default=200)
    parser.add_argument("--model-units", type=int, default=24)
    parser.add_argument("--units", type=int, nargs="+", default=[1000, 10000, 100000])
    args = parser.parse_args()
    from evalsuite.cluster.backend import ray

    started = time.perf_counter()
    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="ERROR")
    print(f"local Ray cluster (2 CPUs) started in {time.perf_counter() - started:.1f} s "
          "(once per cluster, not per run)")
    if "slow" in args.parts:
        slow(args.slow_units)
    if "model" in args.parts:
        model(args.model_units)
    if "overhead" in args.parts:
        overhead(args.units)
    ray.shutdown()


if __name__ == "__main__":
    main()
