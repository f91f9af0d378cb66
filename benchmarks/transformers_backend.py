"""The transformers backend on the embedded model: batched throughput against one prompt at
a time.

    python benchmarks/transformers_backend.py [--prompts 32] [--max-tokens 32]
        [--batch-sizes 8,32] [--device cpu] [--dtype auto] [--stop]

Zero-shot CLRS-Text completion prompts of several algorithms and lengths; greedy decoding.
Without --stop every row runs to --max-tokens (or EOS), which measures generation itself;
with --stop the prompts' own stop sequence applies, as in a run.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from evalsuite.backends import BackendOptions
from evalsuite.backends.base import Completion, GenerationParams, Request

ALGORITHMS = ("insertion_sort", "bfs", "binary_search", "lcs_length", "minimum", "dfs",
              "bubble_sort", "kmp_matcher")


def clrs_requests(count: int, max_tokens: int, stop: bool) -> list[Request]:
    from evalsuite.clrs import iter_samples
    from evalsuite.prompts import PromptOptions, render_prompt

    lengths = (4, 5, 6, 7)
    per_pair = -(-count // (len(ALGORITHMS) * len(lengths)))
    samples = iter_samples(ALGORITHMS, lengths, seeds=[0], samples=per_pair)
    requests = []
    for sample in samples:
        prompt = render_prompt(sample, PromptOptions())
        params = GenerationParams(max_tokens=max_tokens, stop=prompt.stop if stop else ())
        requests.append(Request(text=prompt.text, messages=None, params=params))
    # Every algorithm and length before the second sample of any, so prompt lengths vary.
    order = sorted(range(len(requests)), key=lambda i: (i % per_pair, i))
    return [requests[i] for i in order[:count]]


def complete(backend, requests: list[Request]) -> tuple[float, list[Completion]]:
    async def collect() -> list[Completion]:
        answers: list[Completion | None] = [None] * len(requests)
        async for position, answer in backend.stream(requests):
            answers[position] = answer
        return answers  # type: ignore[return-value]

    start = time.perf_counter()
    answers = asyncio.run(collect())
    return time.perf_counter() - start, answers


def report(label: str, seconds: float, answers: list[Completion]) -> float:
    tokens = sum(answer.output_tokens or 0 for answer in answers)
    errors = sum(answer.error is not None for answer in answers)
    print(f"  {label:22s} {seconds:7.1f} s  {len(answers) / seconds:7.2f} prompts/s  "
          f"{tokens / seconds:8.1f} tokens/s  ({tokens} tokens{f', {errors} errors' if errors else ''})")
    return len(answers) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=32)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--batch-sizes", default="8,32")
    parser.add_argument("--device", default=None)
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--stop", action="store_true", help="apply the prompts' stop sequence")
    args = parser.parse_args()

    start = time.perf_counter()
    from evalsuite.backends.hf import HFBackend

    imported = time.perf_counter() - start
    options = BackendOptions(cache=None, device=args.device, dtype=args.dtype)
    backend = HFBackend("gemma-3-270m", options)
    loaded = time.perf_counter() - start - imported
    print(f"hf/gemma-3-270m on {backend.device} ({backend.model.dtype}): import torch+transformers "
          f"{imported:.1f} s, load {loaded:.1f} s from {backend.checkpoint}")

    requests = clrs_requests(args.prompts, args.max_tokens, args.stop)
    lengths = [len(ids) for ids in backend.encode_all(requests)]
    print(f"{len(requests)} prompts of {min(lengths)}-{max(lengths)} tokens, max_tokens "
          f"{args.max_tokens}, greedy, stop {'on' if args.stop else 'off'}")
    complete(backend, requests[:2])  # warm-up

    backend.batch_size = 1
    base = report("one at a time", *complete(backend, requests))
    for size in (int(s) for s in args.batch_sizes.split(",")):
        backend.batch_size = size
        rate = report(f"batch size {size}", *complete(backend, requests))
        print(f"  {'':22s} {rate / base:.1f}x one at a time")


if __name__ == "__main__":
    main()
