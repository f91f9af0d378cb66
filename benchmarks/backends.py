"""Hosted-API throughput, whole process against whole process, on a local server.

    python benchmarks/backends.py                         # 2,000 requests, concurrency 64, 250 ms
    python benchmarks/backends.py --requests 8000 --concurrency 256 --latency 1
    python benchmarks/backends.py --faults --requests 500  # 429s, 5xx/529, drops, malformed bodies
    python benchmarks/backends.py --provider anthropic
    python benchmarks/backends.py --local-model hf/gemma-3-270m   # batched vs one at a time

A server process (plain asyncio, so it holds every connection at once) answers each request
after a fixed latency. Measured, each as its own process from start to exit: a bare asyncio
HTTP/1.1 client with keep-alive and no SDK (the floor that this machine and this server
allow), `evalsuite run` on the same number of distinct items with an empty response cache,
and the same run again answered from the cache. Printed: wall time, CPU time and peak memory
of each process, and the client CPU per request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CHAT = {
    "id": "cmpl-bench", "object": "chat.completion", "created": 0, "model": "bench",
    "choices": [{"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": "[0 1 2 3 4 5 6 7]"}}],
    "usage": {"prompt_tokens": 120, "completion_tokens": 12, "total_tokens": 132},
}
MESSAGE = {
    "id": "msg_bench", "type": "message", "role": "assistant", "model": "bench",
    "content": [{"type": "text", "text": "[0 1 2 3 4 5 6 7]"}], "stop_reason": "end_turn",
    "stop_sequence": None, "usage": {"input_tokens": 120, "output_tokens": 12},
}
# The fault mix of issue 12, per attempt: 10% 429 (Retry-After: 1), 10% 5xx/529, 6% dropped
# connections or malformed bodies.
FAULTS = [(0.10, "429"), (0.05, "500"), (0.05, "529"), (0.03, "drop"), (0.03, "malformed")]


def _response(status: int, payload: bytes, extra: bytes = b"") -> bytes:
    return (b"HTTP/1.1 %d X\r\ncontent-type: application/json\r\ncontent-length: %d\r\n%s\r\n%s"
            % (status, len(payload), extra, payload))


async def _serve_connection(reader, writer, latency: float, faults: bool, rng: random.Random) -> None:
    chat, message = json.dumps(CHAT).encode(), json.dumps(MESSAGE).encode()
    text = json.dumps({**CHAT, "object": "text_completion", "choices": [
        {"index": 0, "finish_reason": "stop", "text": "[0 1 2 3 4 5 6 7]", "logprobs": None}]}).encode()
    error = json.dumps({"type": "error", "error": {"type": "overloaded", "message": "busy"}}).encode()
    try:
        while True:  # keep-alive: one request after another on this connection
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            await asyncio.sleep(latency)
            fault = _draw(rng) if faults else None
            if fault == "drop":
                break
            if fault == "429":
                writer.write(_response(429, error, b"retry-after: 1\r\n"))
            elif fault in ("500", "529"):
                writer.write(_response(int(fault), error))
            elif fault == "malformed":
                writer.write(_response(200, b"{not json"))
            else:
                path = head.split(b"\r\n", 1)[0]
                body = message if b"/messages" in path else chat if b"/chat/" in path else text
                writer.write(_response(200, body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _draw(rng: random.Random) -> str | None:
    roll = rng.random()
    for share, fault in FAULTS:
        if roll < share:
            return fault
        roll -= share
    return None


def _run_server(sock: socket.socket, latency: float, faults: bool) -> None:
    rng = random.Random(0)

    async def main() -> None:
        server = await asyncio.start_server(
            lambda r, w: _serve_connection(r, w, latency, faults, rng), sock=sock, backlog=4096
        )
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def start_server(latency: float, faults: bool = False) -> tuple[int, multiprocessing.Process]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    process = multiprocessing.get_context("fork").Process(
        target=_run_server, args=(sock, latency, faults), daemon=True)
    process.start()
    sock.close()
    return port, process


BARE_CLIENT = r'''
import asyncio, json, sys
port, count, concurrency = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
async def worker(jobs):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for i in jobs:
        body = json.dumps({"model": "bench", "max_tokens": 64, "messages": [
            {"role": "user", "content": f"insertion_sort:\nkey: [{i} 3 1 2]\ntrace |"}]}).encode()
        writer.write(b"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                     b"content-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body))
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        json.loads(await reader.readexactly(length))
    writer.close()
async def main():
    await asyncio.gather(*(worker(range(w, count, concurrency)) for w in range(concurrency)))
asyncio.run(main())
'''


@dataclass(frozen=True)
class Process:
    seconds: float
    cpu_seconds: float
    peak_mib: float
    returncode: int
    stderr: str


def measure(command: list[str], env: dict | None = None,
            memory: list[tuple[float, float]] | None = None) -> Process:
    """Wall time, CPU time (user + system) and peak RSS of one process, start to exit. With
    `memory`, also its RSS every 20 ms, appended as (time.monotonic(), MiB)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        while True:
            pid, status, usage = os.wait4(child.pid, 0 if memory is None else os.WNOHANG)
            if pid:
                break
            try:
                with open(f"/proc/{child.pid}/status") as lines:
                    rss = next(line for line in lines if line.startswith("VmRSS"))
                memory.append((time.monotonic(), int(rss.split()[1]) / 1024))
            except (OSError, StopIteration):
                pass
            time.sleep(0.02)
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    seconds = time.perf_counter() - start
    return Process(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                   os.waitstatus_to_exitcode(status), stderr)


def write_items(path: Path, count: int, max_length: int | None = None) -> None:
    """`count` distinct CLRS-Text items (every algorithm, lengths from 4 up; with
    `max_length`, lengths 4 to max_length over and over with new seeds, so that items are
    the same size on average whatever their count)."""
    from evalsuite.clrs import iter_samples
    from evalsuite.clrs.registry import ALGORITHMS

    written, length, seed = 0, 4, 0
    with open(path, "w", encoding="utf-8") as out:
        while written < count:
            for sample in iter_samples(list(ALGORITHMS), [length], [seed], 8, "off", "current"):
                out.write(json.dumps(sample.to_dict()) + "\n")
                written += 1
                if written == count:
                    break
            length += 1
            if max_length is not None and length > max_length:
                length, seed = 4, seed + 1


def row(label: str, run: Process, count: int, floor: float | None = None) -> str:
    ratio = f"  {run.seconds / floor - 1:+6.1%} vs bare" if floor else ""
    failed = f"  EXIT {run.returncode}: {run.stderr.strip().splitlines()[-1:]}" if run.returncode not in (0, 1) else ""
    return (f"  {label:<22} {run.seconds:7.2f} s wall  {run.cpu_seconds:6.2f} s CPU  "
            f"{run.cpu_seconds / count * 1000:5.2f} ms CPU/req  {run.peak_mib:6.0f} MiB peak{ratio}{failed}")


def bench_api(args: argparse.Namespace) -> None:
    port, server = start_server(args.latency, args.faults)
    base_url = f"http://127.0.0.1:{port}" + ("/v1" if args.provider == "openai" else "")
    count, concurrency = args.requests, args.concurrency
    print(f"{count} requests, concurrency {concurrency}, latency {args.latency * 1000:.0f} ms, "
          f"provider {args.provider}{', faults' if args.faults else ''}; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; ideal {count * args.latency / concurrency:.2f} s")
    try:
        with tempfile.TemporaryDirectory() as directory:
            folder = Path(directory)
            items = folder / "items.jsonl"
            write_items(items, count)
            env = {**os.environ, "OPENAI_API_KEY": "sk-benchmark-key-0000", "ANTHROPIC_API_KEY": "sk-ant-benchmark-0000"}
            bare = None
            if not args.faults and args.provider == "openai":
                bare = measure([sys.executable, "-c", BARE_CLIENT, str(port), str(count), str(concurrency)])
                print(row("bare asyncio client", bare, count))
            for repeat in range(args.repeats):
                cache = folder / f"cache-{repeat}.sqlite"
                command = [sys.executable, "-m", "evalsuite", "run", "--model", f"{args.provider}/bench",
                           "--base-url", base_url, "--dataset", str(items), "--style", "zero-shot",
                           "--mode", args.mode, "--max-tokens", "64", "--concurrency", str(concurrency),
                           "--cache", str(cache), *args.extra]
                sent = measure([*command, "--out", str(folder / f"run-{repeat}")], env)
                print(row(f"evalsuite run #{repeat + 1}", sent, count, bare.seconds if bare else None))
                if args.faults:
                    lines = (folder / f"run-{repeat}" / "samples.jsonl").read_text().splitlines()
                    records = [json.loads(line) for line in lines]
                    print(f"    {len(records)} lines, {len({r['key'] for r in records})} distinct, "
                          f"{sum(bool(r['error']) for r in records)} failed")
            cached = measure([*command, "--out", str(folder / "cached")], env)
            print(row("cached re-run", cached, count))
    finally:
        server.terminate()


def bench_local(model: str, count: int, batch_size: int) -> None:
    """A local backend's throughput at `batch_size` against one prompt at a time."""
    from evalsuite.backends import BackendOptions, EngineOptions, load_backend
    from evalsuite.backends.base import GenerationParams, Request
    from evalsuite.prompts.record import Message

    params = GenerationParams(max_tokens=64, stop=("\n\n",))
    requests = [Request(text=None, params=params,
                        messages=(Message("user", f"insertion_sort:\nkey: [{i} 3 1 2]\ntrace |"),))
                for i in range(count)]

    async def timed(options) -> float:
        backend = load_backend(model, options)
        start = time.perf_counter()
        try:
            async for _ in backend.stream(requests):
                pass
        finally:
            await backend.aclose()
        return time.perf_counter() - start

    results = {}
    for size in (batch_size, 1):
        engines = EngineOptions().with_settings({"batch_size": size})
        results[size] = asyncio.run(timed(BackendOptions(cache=None, engines=engines)))
        print(f"{model}: {count} prompts at batch size {size:3d}: {results[size]:7.2f} s")
    print(f"  batched speed-up: {results[1] / results[batch_size]:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.25, help="server latency in seconds")
    parser.add_argument("--provider", choices=("openai", "anthropic"), default="openai")
    parser.add_argument("--mode", choices=("chat", "completion"), default="chat")
    parser.add_argument("--faults", action="store_true", help="answer with the fault mix of issue 12")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="more `evalsuite run` options")
    parser.add_argument("--local-model", help="compare batched vs single instead, e.g. hf/gemma-3-270m")
    parser.add_argument("--local-requests", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()
    if args.local_model:
        bench_local(args.local_model, args.local_requests, args.batch_size)
    else:
        bench_api(args)


if __name__ == "__main__":
    main()
