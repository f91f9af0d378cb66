"""`evalsuite generate`: write CLRS-Text samples to JSONL or Parquet."""

from __future__ import annotations

import argparse
import sys

from evalsuite.cli.options import parse_count, parse_int_list


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="write CLRS-Text samples (JSONL, or Parquet for .parquet)",
        description=(
            "Write CLRS-Text samples, byte-identical to the official dm-clrs generator. "
            "Records: algo_name, length, seed, index, use_hints, flavor, question, answer, "
            "text (= question + answer)."
        ),
    )
    parser.add_argument("--algorithms", default="all", help="'all' or a comma-separated list (default: all)")
    parser.add_argument("--lengths", help="e.g. 4,5,10 or 4-16 (required unless --preset)")
    parser.add_argument("--seeds", help="e.g. 0,1 (default: 0, or the preset's)")
    parser.add_argument("--samples", help="samples per (algorithm, length, seed) (default: 1, or the preset's)")
    parser.add_argument("--hints", choices=("on", "off", "both"), help="traces in the text (default: off, or the preset's)")
    parser.add_argument("--flavor", choices=("current", "paper"), default="current",
                        help="current = dm-clrs 2.0.3 numbers; paper = dm-clrs 2.0.1, as in the paper and the HF datasets")
    parser.add_argument("--preset", choices=("paper-train", "paper-val"),
                        help="the paper's split: lengths per algorithm, seeds, samples and hints")
    parser.add_argument("--workers", default="1", help="generate in N processes; output is identical (default: 1)")
    parser.add_argument("-o", "--output", required=True, help="output file (.jsonl, .parquet) or - for JSONL on stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from evalsuite.clrs.generate import plan_groups
    from evalsuite.clrs.parallel import group_jsonl, group_records, map_groups
    from evalsuite.clrs.registry import parse_algorithms
    from evalsuite.clrs.splits import PRESETS
    from evalsuite.datafiles import atomic_path, is_parquet, write_records
    from evalsuite.errors import EvalsuiteError
    from evalsuite.progress import ProgressBar

    preset = PRESETS[args.preset] if args.preset else None
    algorithms = parse_algorithms(args.algorithms)
    if args.lengths:
        lengths = parse_int_list(args.lengths, "--lengths")
    elif preset:
        lengths = preset.lengths
    else:
        raise EvalsuiteError("--lengths is required (e.g. 4,5,10 or 4-16) unless --preset is given")
    seeds = parse_int_list(args.seeds, "--seeds") if args.seeds else (preset.seeds if preset else (0,))
    samples = parse_count(args.samples, "--samples") if args.samples else (preset.samples if preset else 1)
    hints = args.hints or (preset.hints if preset else "off")
    workers = parse_count(args.workers, "--workers") or 1

    groups = plan_groups(algorithms, lengths, seeds, samples, hints, args.flavor)
    per_group = samples * (2 if hints == "both" else 1)
    progress = ProgressBar(len(groups) * per_group, label="generate", unit="samples")

    def write_jsonl(out) -> None:
        for _, text in map_groups(groups, group_jsonl, workers):
            out.write(text)
            progress.update(per_group)

    def records():
        for _, rows in map_groups(groups, group_records, workers):
            yield from rows
            progress.update(len(rows))

    with progress:
        if args.output == "-":
            write_jsonl(sys.stdout)
            return 0
        if is_parquet(args.output):
            write_records(records(), args.output)
        else:
            with atomic_path(args.output) as temporary, open(temporary, "w", encoding="utf-8") as out:
                write_jsonl(out)
    print(f"wrote {len(groups) * per_group} samples to {args.output}", file=sys.stderr)
    return 0
