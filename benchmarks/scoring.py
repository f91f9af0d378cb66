"""Scoring speed: 100,000 outputs scored; one million per-sample rows loaded and summarised.

    python benchmarks/scoring.py [--outputs 100000] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time

from evalsuite.clrs import iter_samples
from evalsuite.scoring import Gold, score_clrs


def _outputs(count: int) -> list[tuple[tuple[str, str], str, str]]:
    """Gold items of several shapes with a mix of right, wrong, chatty and garbage outputs."""
    rng = random.Random(0)
    items = list(iter_samples(["bfs", "insertion_sort", "find_maximum_subarray_kadane", "floyd_warshall",
                               "topological_sort", "minimum"], [5, 8], [0], 20, "both"))
    golds = [(s.question, s.answer) for s in items]
    cases = []
    for _ in range(count):
        question, answer = rng.choice(golds)
        gold = Gold.from_texts(question, answer)
        kind = rng.random()
        if kind < 0.4:
            output, mode = answer, "completion"
        elif kind < 0.7:
            output, mode = f"Sure, let me think.\n{gold.label}: {gold.answer.replace(' ', ', ')}\n", "chat"
        elif kind < 0.9:
            output, mode = answer.replace("1", "2"), "completion"
        else:
            output, mode = "I am not sure what you mean" * 3, "chat"
        cases.append(((question, answer), output, mode))
    return cases


def bench_scoring(count: int) -> None:
    cases = _outputs(count)
    start = time.process_time()  # CPU time of this one process: one core
    for (question, answer), output, mode in cases:  # read the gold from its texts each time
        score_clrs(output, Gold.from_texts(question, answer), mode)
    seconds = time.process_time() - start
    print(f"scored {count} outputs in {seconds:.2f} s of CPU = {count / seconds:,.0f} outputs/s (one core)")


def bench_summary(rows: int) -> None:
    from evalsuite.report import load_results, summarise

    rng = random.Random(1)
    algorithms = [f"algo{i}" for i in range(30)]
    with tempfile.TemporaryDirectory() as directory:
        run = os.path.join(directory, "run")
        os.mkdir(run)
        with open(os.path.join(run, "samples.jsonl"), "w") as out:
            for i in range(rows):
                out.write(json.dumps({
                    "item_id": str(i), "algo_name": rng.choice(algorithms), "length": rng.randint(4, 64),
                    "model": "m", "style": "few-shot", "shots": 2, "mode": "chat", "layout": "single",
                    "exact_flexible": rng.random() < 0.5, "parsed": rng.random() < 0.9,
                    "elementwise": rng.random(),
                }) + "\n")
        start = time.perf_counter()
        data = load_results([run])
        loaded = time.perf_counter()
        table = summarise(data, ["algorithm", "length"])
        done = time.perf_counter()
    print(f"loaded {rows:,} rows in {loaded - start:.2f} s and summarised them into {len(table)} groups in "
          f"{done - loaded:.2f} s: {done - start:.2f} s in all ({rows / (done - start):,.0f} rows/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    bench_scoring(args.outputs)
    bench_summary(args.rows)


if __name__ == "__main__":
    main()
