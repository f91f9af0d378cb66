"""`evalsuite compare`: two runs item by item, with paired intervals and McNemar's test."""

from __future__ import annotations

import argparse
import sys

from evalsuite.cli.options import parse_count


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="compare two runs item by item: paired differences, bootstrap intervals, McNemar",
        description=(
            "Pair the samples of RUN_A and RUN_B on their item and the configuration both runs "
            "share, and report per --by group and overall: pairs, both means, the difference "
            "A - B with a 95% paired-bootstrap interval, for right/wrong metrics the exact "
            "McNemar p-value and the discordant counts, and the items found in one run only "
            "(counted, never paired). Repeated samples of an item are averaged first."
        ),
    )
    parser.add_argument("run_a", metavar="RUN_A", help="run directory or scored file (JSONL/Parquet)")
    parser.add_argument("run_b", metavar="RUN_B", help="run directory or scored file to compare it with")
    parser.add_argument("--by", default="algorithm,length", help="columns to group by (default: algorithm,length; '' for the overall row only)")
    parser.add_argument("--metric", default="exact_flexible",
                        help="exact_flexible (default), exact_strict, elementwise, parsed, trace_prefix, abs_error")
    parser.add_argument("--resamples", default="1000", help="bootstrap resamples (default: 1000)")
    parser.add_argument("--seed", default="0", help="seed of the bootstrap (default: 0)")
    parser.add_argument("--format", default="markdown", choices=("markdown", "csv", "latex", "html"))
    parser.add_argument("-o", "--output", help="write the table here (default: stdout)")
    parser.add_argument("--plot", help="also draw the differences with their intervals per algorithm into this PNG")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from evalsuite.datafiles import atomic_path
    from evalsuite.errors import EvalsuiteError
    from evalsuite.report.comparison import compare, format_comparison
    from evalsuite.report.plots import plot_differences
    from evalsuite.report.summary import ALIASES

    resamples = parse_count(args.resamples, "--resamples")
    if resamples < 1:
        raise EvalsuiteError("--resamples must be 1 or more")
    by = [column.strip() for column in args.by.split(",") if column.strip()]
    if args.plot and "algo_name" not in [ALIASES.get(column, column) for column in by]:
        raise EvalsuiteError("--plot needs the algorithm among the --by columns (e.g. --by algorithm,length)")
    table = compare(args.run_a, args.run_b, by, args.metric, resamples, parse_count(args.seed, "--seed"))
    if not table["n_pairs"].iloc[-1]:
        raise EvalsuiteError(f"{args.run_a} and {args.run_b} share no item (paired on "
                             f"{', '.join(table.attrs['paired_on'])}): nothing to compare")
    print(f"A: {args.run_a} ({table.attrs['a'] or 'same configuration'}); "
          f"B: {args.run_b} ({table.attrs['b'] or 'same configuration'}); "
          f"paired on {', '.join(table.attrs['paired_on'])}", file=sys.stderr)
    text = format_comparison(table, args.format)
    if args.output:
        with atomic_path(args.output) as temporary:
            temporary.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if args.plot:
        plot_differences(table, args.plot)
        print(f"wrote {args.plot}", file=sys.stderr)
    return 0
