"""`evalsuite run --batch` on 10,000 requests against the fake batch server.

    python benchmarks/batch.py                        # 10,000 requests, both providers
    python benchmarks/batch.py --requests 2000 --provider openai --ready-after 5

The tests' fake server (tests/support) runs in this process and makes each batch's results
available `--ready-after` seconds (5) after its creation. `evalsuite run --batch` runs as its
own process, with an empty response cache, from start to exit. Printed per run: wall time,
the time the batches were waiting at the server (creation to the look that found them ended),
our own time (wall minus that wait: planning, upload, reading, scoring, writing), CPU time and
peak memory of the evalsuite process, also split into its peak until the first batch ended
(planning and upload: the run's items and prompts, which grow with the run) and what reading,
scoring and writing the results added on top of that. Items cycle through lengths 4 to 12, so
that they are the same size on average at every count. Target: own time under 15 s for
10,000 requests, and results streamed: what they add does not grow with their number.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "support"))

from backends import measure, write_items  # noqa: E402
from fake_api import FakeAPI  # noqa: E402


def bench(provider: str, count: int, ready_after: float, poll: float) -> None:
    api = FakeAPI(text="[0 1 2 3 4 5 6 7]").start()
    api.batches.ready_after_s = ready_after
    try:
        with tempfile.TemporaryDirectory() as directory:
            folder = Path(directory)
            items = folder / "items.jsonl"
            write_items(items, count, max_length=12)
            env = {**os.environ, "OPENAI_API_KEY": "sk-benchmark-key-0000",
                   "ANTHROPIC_API_KEY": "sk-ant-benchmark-0000", "XDG_CACHE_HOME": str(folder / "cache")}
            url = api.base_url if provider == "openai" else api.root_url
            out = folder / "run"
            memory: list[tuple[float, float]] = []
            run = measure([sys.executable, "-m", "evalsuite", "run", "--model", f"{provider}/bench",
                           "--base-url", url, "--dataset", str(items), "--style", "zero-shot",
                           "--mode", "chat", "--max-tokens", "64", "--batch", "--batch-poll", str(poll),
                           "--out", str(out)], env, memory)
            batches = list(api.batches.batches.values())
            waited = max(b.ended for b in batches) - min(b.created for b in batches)
            first_ended = min(b.ended for b in batches)
            planned = max((rss for moment, rss in memory if moment < first_ended), default=0)
            after = max((rss for moment, rss in memory if moment >= first_ended), default=0)
            lines = (out / "samples.jsonl").read_text().splitlines()
            scored = sum(json.loads(line)["exact_flexible"] is not None for line in lines)
            status = "" if run.returncode == 0 else f"  EXIT {run.returncode}: {run.stderr.strip()[-300:]}"
            print(f"  {provider:<9} {count:6d} requests in {len(batches)} batches, {scored} scored: "
                  f"{run.seconds:6.2f} s wall, {waited:5.2f} s waiting, "
                  f"{run.seconds - waited:6.2f} s own, {run.cpu_seconds:6.2f} s CPU, "
                  f"{run.peak_mib:5.0f} MiB peak ({planned:4.0f} planned and uploaded, "
                  f"{max(0, after - planned):+4.0f} reading results){status}")
    finally:
        api.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--requests", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--provider", choices=("openai", "anthropic", "both"), default="both")
    parser.add_argument("--ready-after", type=float, default=5.0, help="seconds until a batch's results exist")
    parser.add_argument("--poll", type=float, default=0.5, help="--batch-poll of the run")
    args = parser.parse_args()
    providers = ("openai", "anthropic") if args.provider == "both" else (args.provider,)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; results ready "
          f"{args.ready_after:g} s after each batch is created; --batch-poll {args.poll:g}")
    for provider in providers:
        for count in args.requests:
            bench(provider, count, args.ready_after, args.poll)


if __name__ == "__main__":
    main()
