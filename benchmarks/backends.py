"""Backend throughput against a local OpenAI-compatible server, and the cached re-run.

    python benchmarks/backends.py [--requests 2000] [--concurrency 64] [--latency 0.2]
    python benchmarks/backends.py --local-model hf/gemma-3-270m   # batched vs one at a time

The server (a separate process, plain asyncio, so it can hold every connection at once)
answers each chat completion after a fixed latency. Ideal time = requests × latency /
concurrency; the target is within 10% of it. Then the same requests again through the cache
(target under 2 s). With --local-model, a local backend's batched throughput is compared with
one prompt at a time (`batch_size=1`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from evalsuite.backends import BackendOptions, load_backend
from evalsuite.backends.base import GenerationParams, Request
from evalsuite.prompts.record import Message

ANSWER = {
    "id": "cmpl-bench", "object": "chat.completion", "created": 0, "model": "bench",
    "choices": [{"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": "[0 1 2 3 4 5 6 7]"}}],
    "usage": {"prompt_tokens": 120, "completion_tokens": 12, "total_tokens": 132},
}


async def _serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                            latency: float, payload: bytes) -> None:
    try:
        while True:  # keep-alive: one request after another on this connection
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            await asyncio.sleep(latency)
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                         b"content-length: %d\r\n\r\n%s" % (len(payload), payload))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _run_server(sock: socket.socket, latency: float) -> None:
    payload = json.dumps(ANSWER).encode()

    async def main() -> None:
        server = await asyncio.start_server(
            lambda r, w: _serve_connection(r, w, latency, payload), sock=sock, backlog=1024
        )
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def start_server(latency: float) -> tuple[str, multiprocessing.Process]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    process = multiprocessing.get_context("fork").Process(
        target=_run_server, args=(sock, latency), daemon=True
    )
    process.start()
    sock.close()
    return f"http://127.0.0.1:{port}/v1", process


def make_requests(count: int) -> list[Request]:
    params = GenerationParams(max_tokens=64, stop=("\n\n",))
    return [Request(text=None, params=params,
                    messages=(Message("user", f"insertion_sort:\nkey: [{i} 3 1 2]\ntrace |"),))
            for i in range(count)]


@dataclass(frozen=True)
class Timing:
    seconds: float
    cpu_seconds: float  # this process only: the client's own work, not the server's
    errors: int


async def timed(model: str, options: BackendOptions, requests: list[Request]) -> Timing:
    backend = load_backend(model, options)
    errors = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        async for _, completion in backend.stream(requests):
            errors += completion.error is not None
    finally:
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        await backend.aclose()
    return Timing(seconds, cpu, errors)


def bench_api(count: int, concurrency: int, latency: float) -> None:
    base_url, server = start_server(latency)
    requests = make_requests(count)
    ideal = count * latency / concurrency
    with tempfile.TemporaryDirectory() as directory:
        options = BackendOptions(base_url=base_url, concurrency=concurrency, timeout=30.0,
                                 cache=Path(directory) / "responses.sqlite")
        os.environ.setdefault("OPENAI_API_KEY", "benchmark")
        sent = asyncio.run(timed("openai/bench", options, requests))
        print(f"{count} requests, concurrency {concurrency}, latency {latency * 1000:.0f} ms, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        print(f"  sent:    {sent.seconds:6.2f} s  {count / sent.seconds:7.1f} req/s   "
              f"ideal {ideal:.2f} s ({count / ideal:.1f} req/s): {ideal / sent.seconds:.0%} of ideal"
              f"   errors {sent.errors}")
        print(f"           client CPU {sent.cpu_seconds:.2f} s = "
              f"{sent.cpu_seconds / count * 1000:.2f} ms per request (SDK included)")
        cached = asyncio.run(timed("openai/bench", options, requests))
        print(f"  cached:  {cached.seconds:6.2f} s  {count / cached.seconds:7.0f} req/s   "
              f"(target < 2 s)   errors {cached.errors}")
    server.terminate()


def bench_local(model: str, count: int, batch_size: int) -> None:
    """A local backend's throughput at `batch_size` against one prompt at a time.

    The hook for the transformers comparison: it needs only `load_backend` and
    `BackendOptions.batch_size`, so it works for any local provider (hf/..., vllm/...).
    """
    requests = make_requests(count)
    results = {}
    for size in (batch_size, 1):
        options = BackendOptions(cache=None, batch_size=size)
        timing = asyncio.run(timed(model, options, requests))
        results[size] = timing.seconds
        print(f"{model}: {count} prompts at batch size {size:3d}: {timing.seconds:7.2f} s  "
              f"{count / timing.seconds:6.2f} prompts/s   errors {timing.errors}")
    print(f"  batched speed-up: {results[1] / results[batch_size]:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.2, help="server latency in seconds")
    parser.add_argument("--local-model", help="also compare batched vs single, e.g. hf/gemma-3-270m")
    parser.add_argument("--local-requests", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()
    bench_api(args.requests, args.concurrency, args.latency)
    if args.local_model:
        bench_local(args.local_model, args.local_requests, args.batch_size)


if __name__ == "__main__":
    main()
