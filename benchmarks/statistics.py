"""Statistics speed: two runs of 1,000,000 samples compared by algorithm x length with 1,000
bootstrap resamples (target: under 10 s on one core); clustered errors of one run.

    taskset -c 0 python benchmarks/statistics.py [--samples 1000000] [--resamples 1000] [--files]

Times are CPU seconds of this process (time.process_time), so they read as one core's work
even on a busy machine. --files also writes both runs as samples.jsonl and times loading them.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import numpy as np
import pandas as pd

from evalsuite.report import compare, load_results, summarise
from evalsuite.report.comparison import item_scores
from evalsuite.report.statistics import paired_bootstrap

ALGORITHMS = [f"algo{i:02d}" for i in range(30)]
LENGTHS = list(range(4, 14))  # 30 x 10 = 300 cells


def synthetic_run(samples: int, model: str, skill: float, seed: int) -> pd.DataFrame:
    """`samples` items over 300 (algorithm, length) cells; each cell has a difficulty, each
    item a right/wrong score and an element-wise score with length + 1 possible values."""
    rng = np.random.default_rng(seed)
    cells = len(ALGORITHMS) * len(LENGTHS)
    cell = np.arange(samples) % cells
    algo = np.array(ALGORITHMS)[cell // len(LENGTHS)]
    length = np.array(LENGTHS)[cell % len(LENGTHS)]
    difficulty = np.random.default_rng(0).uniform(0.1, 0.9, size=cells)[cell]  # shared by both runs
    right = rng.random(samples) < np.clip(difficulty + skill, 0, 1)
    elementwise = np.where(right, 1.0, rng.integers(0, length) / length)
    return pd.DataFrame({
        "item_id": pd.Series(algo).str.cat([pd.Series(length).astype(str), pd.Series(np.arange(samples) // cells).astype(str)], sep="/"),
        "algo_name": algo, "length": length, "model": model, "style": "few-shot", "shots": 2,
        "mode": "completion", "layout": "single", "exact_flexible": right, "parsed": True,
        "elementwise": elementwise,
    })


def timed(work):
    start = time.process_time()
    result = work()
    return result, time.process_time() - start


def bench_compare(a: pd.DataFrame, b: pd.DataFrame, resamples: int) -> None:
    by = ["algorithm", "length"]
    for metric in ("exact_flexible", "elementwise"):
        table, seconds = timed(lambda: compare(a, b, by=by, metric=metric, resamples=resamples))
        overall = table.iloc[-1]
        print(f"compare {len(a):,} x {len(b):,} samples by algorithm x length, {metric}, {resamples} resamples: "
              f"{seconds:.2f} s CPU ({len(table) - 1} groups; overall {overall['difference']:+.4f} "
              f"[{overall['ci_low']:+.4f}, {overall['ci_high']:+.4f}])")
    columns = ["item_id", "style", "shots", "mode", "layout", "algo_name", "length"]
    items, pairing = timed(lambda: item_scores(a, b, columns, ["algo_name", "length"], "exact_flexible"))
    codes = items.groupby(["algo_name", "length"]).ngroup().to_numpy()
    _, bootstrap = timed(lambda: paired_bootstrap(items["value_a"], items["value_b"], codes, resamples))
    print(f"  of which pairing the items {pairing:.2f} s, the bootstrap of exact_flexible {bootstrap:.2f} s")


def bench_clustered(a: pd.DataFrame) -> None:
    table, seconds = timed(lambda: summarise(a, [], "exact_flexible"))
    row = table.iloc[0]
    print(f"summarise {len(a):,} samples with errors clustered by algorithm x length: {seconds:.2f} s CPU "
          f"(se {row['se']:.5f}, cluster-robust se {row['cluster_se']:.5f} over {int(row['clusters'])} clusters)")


def bench_files(a: pd.DataFrame, b: pd.DataFrame, resamples: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        paths = []
        for name, frame in (("a", a), ("b", b)):
            os.mkdir(os.path.join(directory, name))
            with open(os.path.join(directory, name, "samples.jsonl"), "w") as out:
                for record in frame.to_dict("records"):
                    out.write(json.dumps({k: v.item() if hasattr(v, "item") else v for k, v in record.items()}) + "\n")
            paths.append(os.path.join(directory, name))
        (first, second), loading = timed(lambda: (load_results([paths[0]]), load_results([paths[1]])))
        _, comparing = timed(lambda: compare(first, second, resamples=resamples))
    print(f"from files: loading both runs {loading:.2f} s CPU, comparing them {comparing:.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--files", action="store_true", help="also write, load and compare samples.jsonl files")
    args = parser.parse_args()
    a = synthetic_run(args.samples, "model-a", 0.05, seed=1)
    b = synthetic_run(args.samples, "model-b", 0.0, seed=2)
    bench_compare(a, b, args.resamples)
    bench_clustered(a)
    if args.files:
        bench_files(a, b, args.resamples)


if __name__ == "__main__":
    main()
