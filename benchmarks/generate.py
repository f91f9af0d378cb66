"""Generator speed on the paper's val distribution, import time, and scaling with workers.

    python benchmarks/generate.py [--workers 1,2] [--detail]

Every (algorithm, length) pair of the paper's val split, 5 samples each, seed 3, hints on,
on one core; then the same work through `evalsuite generate --workers N`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time


def import_time() -> float:
    """Seconds to import evalsuite and its generator in a fresh interpreter (best of 5)."""
    code = "import time; t = time.perf_counter(); import evalsuite.clrs; print(time.perf_counter() - t)"
    runs = [float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(5)]
    return min(runs)


def single_core(detail: bool) -> tuple[int, float]:
    from evalsuite.clrs import iter_samples
    from evalsuite.clrs.splits import VAL_LENGTHS

    total_samples, total_seconds = 0, 0.0
    for algo, lengths in sorted(VAL_LENGTHS.items()):
        start = time.process_time()  # CPU time: one core, whatever else the machine runs
        count = sum(1 for _ in iter_samples([algo], lengths, [3], 5, "on"))
        seconds = time.process_time() - start
        total_samples += count
        total_seconds += seconds
        if detail:
            print(f"  {algo:32s} lengths {lengths[0]}-{lengths[-1]:<3d} {count / seconds:9.0f} samples/s")
    return total_samples, total_seconds


def with_workers(workers: int) -> tuple[int, float]:
    from evalsuite.clrs.splits import VAL_LENGTHS

    samples = sum(len(lengths) for lengths in VAL_LENGTHS.values()) * 5 * 4
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "evalsuite", "generate", "--preset", "paper-val", "--seeds", "3,14,35,81",
             "--samples", "5", "--hints", "on", "--workers", str(workers),
             "-o", os.path.join(directory, "val.jsonl")],
            check=True, capture_output=True,
        )
        return samples, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--detail", action="store_true", help="samples/s per algorithm")
    args = parser.parse_args()

    print(f"import evalsuite.clrs: {import_time():.3f} s")
    count, seconds = single_core(args.detail)
    print(f"paper val split, 5 samples per (algorithm, length), seed 3, hints on, one core (CPU time): "
          f"{count} samples in {seconds:.2f} s = {count / seconds:.0f} samples/s")
    baseline = None
    for workers in map(int, args.workers.split(",")):
        count, seconds = with_workers(workers)
        rate = count / seconds
        baseline = baseline or rate
        print(f"evalsuite generate --workers {workers}: {count} samples in {seconds:.2f} s = "
              f"{rate:.0f} samples/s ({rate / baseline:.2f}x of 1 worker; {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
