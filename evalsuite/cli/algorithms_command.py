"""`evalsuite algorithms`: the 30 algorithms, their fields and the paper's lengths."""

from __future__ import annotations

import argparse
import json


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "algorithms",
        help="list the 30 CLRS algorithms with their inputs, outputs and paper lengths",
        description="List the 30 CLRS-Text algorithms: inputs, outputs, trace, and the paper's train/val lengths.",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per algorithm")
    parser.set_defaults(handler=run)


def _ranges(lengths: tuple[int, ...]) -> str:
    if len(lengths) > 2 and lengths == tuple(range(lengths[0], lengths[-1] + 1)):
        return f"{lengths[0]}-{lengths[-1]}"
    return ",".join(map(str, lengths))


def run(args: argparse.Namespace) -> int:
    from evalsuite.clrs.registry import ALGORITHMS
    from evalsuite.clrs.splits import TRAIN_LENGTHS, VAL_LENGTHS

    rows = [
        {
            "algorithm": name,
            "chapter": spec.chapter,
            "inputs": [field.name for field in spec.inputs],
            "outputs": [field.name for field in spec.outputs],
            "trace": spec.hinted_label if spec.hints else "",
            "min_length": spec.min_length,
            "train_lengths": list(TRAIN_LENGTHS.get(name, ())),
            "val_lengths": list(VAL_LENGTHS.get(name, ())),
        }
        for name, spec in ALGORITHMS.items()
    ]
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return 0
    header = ("algorithm", "inputs", "outputs", "trace", "train lengths", "val lengths")
    table = [
        (
            row["algorithm"], ", ".join(row["inputs"]), ", ".join(row["outputs"]), row["trace"],
            _ranges(tuple(row["train_lengths"])), _ranges(tuple(row["val_lengths"])),
        )
        for row in rows
    ]
    widths = [max(len(str(line[i])) for line in (header, *table)) for i in range(len(header))]
    for line in (header, *table):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip())
    return 0
