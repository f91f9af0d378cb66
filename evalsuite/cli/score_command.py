"""`evalsuite score`: score model outputs that came from anywhere."""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score a JSONL of outputs (question, answer, output[, mode, algo_name])",
        description=(
            "Score each line of FILE (fields: question, answer = the gold CLRS-Text answer as "
            "generated, output = the model's text; optional: mode = completion|chat, default "
            "completion; algo_name; finish_reason) and write the same lines with the score "
            "fields added: strict_answer, flexible_answer, failure, exact_strict, "
            "exact_flexible, elementwise, parsed, trace_prefix, first_wrong_step."
        ),
    )
    parser.add_argument("file", help="JSONL file of outputs")
    parser.add_argument("-o", "--output", help="scored JSONL to write (default: stdout)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from evalsuite.datafiles import atomic_path, read_records
    from evalsuite.scoring import score_record

    def scored():
        for number, record in enumerate(read_records(args.file), 1):
            yield score_record(record, f"{args.file}:{number}")

    totals = {"n": 0, "exact_strict": 0, "exact_flexible": 0}

    def write(out) -> None:
        for record in scored():
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            totals["n"] += 1
            totals["exact_strict"] += record["exact_strict"]
            totals["exact_flexible"] += record["exact_flexible"]

    if args.output:
        with atomic_path(args.output) as temporary, open(temporary, "w", encoding="utf-8") as out:
            write(out)
    else:
        write(sys.stdout)
    n = totals["n"] or 1
    print(
        f"scored {totals['n']} outputs: exact_strict {totals['exact_strict'] / n:.3f}, "
        f"exact_flexible {totals['exact_flexible'] / n:.3f}",
        file=sys.stderr,
    )
    return 0
