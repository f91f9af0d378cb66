"""`evalsuite report`: tables and plots from run directories or scored files."""

from __future__ import annotations

import argparse
import sys


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "report",
        help="summarise runs: mean, 95%% CI, n, parse failures; side by side; plots",
        description=(
            "Load run directories (their samples.jsonl; shards of one run merge) or scored "
            "JSONL/Parquet files, summarise METRIC by the --by columns with 95% confidence "
            "intervals (Wilson for right/wrong metrics), one column per run configuration. A "
            "group spanning several (algorithm, length) cells also gets the cluster-robust "
            "interval, since items of one cell are not independent (--by '' for the overall mean)."
        ),
    )
    parser.add_argument("runs", nargs="+", metavar="RUN", help="run directories or scored files")
    parser.add_argument("--by", default="algorithm,length", help="columns to group by (default: algorithm,length; '' for one row)")
    parser.add_argument("--metric", default="exact_flexible",
                        help="exact_flexible (default), exact_strict, elementwise, parsed, trace_prefix, abs_error")
    parser.add_argument("--format", default="markdown", choices=("markdown", "csv", "latex", "html"))
    parser.add_argument("-o", "--output", help="write the table here (default: stdout)")
    parser.add_argument("--repeated", action="store_true",
                        help="for runs with --samples-per-item: per group and run, items, samples per item, "
                             "mean over samples, majority-vote score and pass@k (k up to K) instead")
    parser.add_argument("--plot", help="also draw METRIC against length per algorithm into this PNG "
                        "(over-squashing runs: PATH-copy.png, PATH-count.png and PATH-counts.png)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from evalsuite.datafiles import atomic_path
    from evalsuite.report import comparison_table, format_table, load_results
    from evalsuite.report.plots import draw_report_plots
    from evalsuite.report.repeated import format_repeated, repeated_samples_table

    data = load_results(args.runs, texts=False)
    by = [column.strip() for column in args.by.split(",") if column.strip()]
    if args.repeated:
        text = format_repeated(repeated_samples_table(data, by, args.metric), args.format)
    else:
        text = format_table(comparison_table(data, by, args.metric), args.format)
    if args.output:
        with atomic_path(args.output) as temporary:
            temporary.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if args.plot:
        for path in draw_report_plots(data, args.metric, args.plot):
            print(f"wrote {path}", file=sys.stderr)
    return 0
