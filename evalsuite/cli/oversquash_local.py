"""`evalsuite oversquash collapse|sensitivity`: measurements inside a local hf/ model.

`add_collapse_parser` and `add_sensitivity_parser` add one sub-subcommand each to the
`oversquash` command's subparsers; torch is imported only when a handler runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evalsuite.cli.options import parse_count, parse_int_list
from evalsuite.errors import EvalsuiteError

DEFAULT_LENGTHS = "1,2,6,11,51,101,501"
PAIR_KINDS = ("ones", "digits", "copy", "copy-commas")
DTYPES = ("float32", "bfloat16", "float16")


def add_collapse_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "collapse",
        help="distance between the last token's final states of prompts one repeated digit apart",
        description=(
            "For each pair of raw-text prompts that differ only by one more repetition of the "
            "final digit (checked with the tokenizer), the L∞, L2 and relative distances "
            "between the last token's final-layer states (after the final norm), and whether "
            "the greedy next token is the same; for every dtype. Writes collapse.csv and "
            "collapse.png."
        ),
    )
    parser.add_argument("--model", default="hf/gemma-3-270m", help="a local hf/ model (default: hf/gemma-3-270m)")
    parser.add_argument("--lengths", default=DEFAULT_LENGTHS, help=f"digits in the shorter prompt (default: {DEFAULT_LENGTHS})")
    parser.add_argument("--pairs", default=",".join(PAIR_KINDS), help=f"pair kinds (default: all of {', '.join(PAIR_KINDS)})")
    parser.add_argument("--dtypes", default="float32,bfloat16", help=f"any of {', '.join(DTYPES)} (default: float32,bfloat16)")
    parser.add_argument("--device", default=None, help="auto (default), cpu, cuda, cuda:N or mps")
    parser.add_argument("--seed", default="0", help="seed of the random digits of the digits pair (default: 0)")
    parser.add_argument("--out", default=None, help="output folder (default: results/oversquash/collapse-MODEL/)")
    parser.set_defaults(handler=run_collapse)


def add_sensitivity_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "sensitivity",
        help="gradient norm of the last token's final state with respect to each input embedding",
        description=(
            "The Frobenius norm of ∂v_last/∂e_i for every input position i of one long prompt "
            "(estimated with random Gaussian probes). Writes sensitivity.csv and sensitivity.png."
        ),
    )
    parser.add_argument("--model", default="hf/gemma-3-270m", help="a local hf/ model (default: hf/gemma-3-270m)")
    parser.add_argument("--length", default="200", help="digits in the prompt (default: 200)")
    parser.add_argument("--pair", default="copy", choices=PAIR_KINDS, help="the prompt kind (its shorter prompt; default: copy)")
    parser.add_argument("--dtype", default="float32", choices=DTYPES, help="default: float32")
    parser.add_argument("--device", default=None, help="auto (default), cpu, cuda, cuda:N or mps")
    parser.add_argument("--probes", default="8", help="random probes for the Jacobian norm (default: 8)")
    parser.add_argument("--seed", default="0", help="seed of the probes and random digits (default: 0)")
    parser.add_argument("--out", default=None, help="output folder (default: results/oversquash/sensitivity-MODEL/)")
    parser.set_defaults(handler=run_sensitivity)


def _names(text: str, option: str, valid: tuple[str, ...]) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise EvalsuiteError(f"{option}: give at least one of {', '.join(valid)}")
    for name in names:
        if name not in valid:
            raise EvalsuiteError(f"{option}: unknown {name!r}; valid: {', '.join(valid)}")
    return names


def _out_dir(out: str | None, command: str, model: str) -> Path:
    if out:
        return Path(out)
    return Path("results") / "oversquash" / f"{command}-{model.partition('/')[2].replace('/', '-')}"


def run_collapse(args: argparse.Namespace) -> int:
    from evalsuite.oversquash.local_model import require_local

    require_local(args.model, "collapse")
    lengths = parse_int_list(args.lengths, "--lengths")
    kinds = _names(args.pairs, "--pairs", PAIR_KINDS)
    dtypes = _names(args.dtypes, "--dtypes", DTYPES)
    seed = parse_count(args.seed, "--seed")
    out = _out_dir(args.out, "collapse", args.model)

    from evalsuite.oversquash.collapse import measure_collapse, write_collapse

    rows = measure_collapse(args.model, lengths, kinds, dtypes, args.device, seed)
    table, figure = write_collapse(rows, out, title=f"representational collapse in {args.model}")
    refused = [row for row in rows if not row.valid]
    for row in refused:
        print(f"skipped {row.pair} n={row.n} {row.dtype}: {row.reason}", file=sys.stderr)
    print(f"wrote {_written(table, figure)} ({len(rows) - len(refused)} of {len(rows)} rows measured)", file=sys.stderr)
    return 0


def run_sensitivity(args: argparse.Namespace) -> int:
    from evalsuite.oversquash.local_model import require_local

    require_local(args.model, "sensitivity")
    length = parse_count(args.length, "--length")
    probes = parse_count(args.probes, "--probes")
    seed = parse_count(args.seed, "--seed")
    out = _out_dir(args.out, "sensitivity", args.model)

    from evalsuite.oversquash.sensitivity import measure_sensitivity, write_sensitivity

    rows = measure_sensitivity(args.model, length, args.pair, args.dtype, args.device, probes, seed)
    title = f"sensitivity in {args.model}: {args.pair} prompt, n={length}, {args.dtype}, {probes} probes"
    table, figure = write_sensitivity(rows, out, title)
    print(f"wrote {_written(table, figure)} ({len(rows)} positions)", file=sys.stderr)
    return 0


def _written(table, figure) -> str:
    """What was written: the table and its figure, or the table and why there is no figure."""
    from evalsuite.report.plots import PLOTS_NEED_MATPLOTLIB

    return f"{table} and {figure}" if figure else f"{table}, no figure ({PLOTS_NEED_MATPLOTLIB})"
