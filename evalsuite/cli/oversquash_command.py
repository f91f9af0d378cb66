"""`evalsuite oversquash copy|count|collapse|sensitivity`: the over-squashing study."""

from __future__ import annotations

import argparse

from evalsuite.cli.options import parse_count, parse_int_list
from evalsuite.cli.run_command import (
    add_backend_options,
    backend_settings,
    report_outcome,
)


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "oversquash",
        help="copying and counting experiments, representational collapse, sensitivity",
        description='The experiments of "Transformers need glasses!" (Barbero et al., 2024) on any model.',
    )
    commands = parser.add_subparsers(dest="oversquash_command", metavar="EXPERIMENT", required=True)
    _add_task_parser(commands, "copy", "copy the last (or first) digit of long sequences",
                     ("--variants", "last,first,hint,interleaved-01,interleaved-10,commas",
                      "last, first, hint, interleaved-01, interleaved-10, commas (our separators variant)"),
                     ("--prompt-types", "paper", "paper (sequence first), type1, type2 (instruction first)"),
                     "100-500 step 50")
    _add_task_parser(commands, "count", "count ones, sum ones, count 'car'",
                     ("--tasks", "sum,ones,random-ones,car", "sum, ones, random-ones (70%% ones, seeded), car"),
                     ("--styles", "answer-only", "answer-only, zero-shot-cot, few-shot-cot"),
                     "5-195 step 10")
    try:
        from evalsuite.cli.oversquash_local import (
            add_collapse_parser,
            add_sensitivity_parser,
        )
    except ImportError:  # pragma: no cover - the local-model experiments are not installed
        return
    add_collapse_parser(commands)
    add_sensitivity_parser(commands)


def _add_task_parser(commands, name: str, summary: str, kinds: tuple, styles: tuple, lengths: str) -> None:
    parser = commands.add_parser(name, help=summary, description=f"{summary}; scored by the requested phrase (strict) and the last integer (flexible).")
    parser.add_argument("--model", nargs="+", action="extend", dest="models", metavar="PROVIDER/MODEL",
                        help="any backend of `evalsuite run` (default: llamacpp/gemma-3-270m)")
    option, default, explanation = kinds
    parser.add_argument(option, default=default, help=f"comma-separated: {explanation} (default: {default})")
    option, default, explanation = styles
    parser.add_argument(option, default=default, help=f"comma-separated: {explanation} (default: {default})")
    parser.add_argument("--lengths", help=f"e.g. 100,200 or 5-45 (default: the paper's, {lengths})")
    parser.add_argument("--samples", default="1", help="items per setting (default: 1)")
    parser.add_argument("--seed", default="0", help="seed of the random sequences (default: 0)")
    parser.add_argument("--mode", default="chat", choices=("chat", "completion"), help="default: chat")
    parser.add_argument("--max-tokens", help="tokens to generate (default: enough for the style)")
    parser.add_argument("--temperature", type=float)
    parser.add_argument("--templates", help="folder overriding oversquash_copy.j2 / oversquash_count.j2")
    parser.add_argument("--out", help="run directory (default: results/<timestamp>-<model>/)")
    add_backend_options(parser)
    parser.set_defaults(handler=run, family=name)


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def run(args: argparse.Namespace) -> int:

    from evalsuite.oversquash.tasks import (
        COPY_LENGTHS,
        COUNT_LENGTHS,
        copy_items,
        count_items,
    )
    from evalsuite.oversquash.units import squash_units
    from evalsuite.prompts import TemplateSet
    from evalsuite.run import RunConfig
    from evalsuite.run.benchmark import SummaryPlan, execute_run
    from evalsuite.run.config import with_settings

    samples = parse_count(args.samples, "--samples")
    seed = parse_count(args.seed, "--seed")
    if args.family == "copy":
        lengths = parse_int_list(args.lengths, "--lengths") if args.lengths else COPY_LENGTHS
        kinds, styles = _split(args.variants), _split(args.prompt_types)
        items = copy_items(kinds, styles, lengths, samples)
        plan = SummaryPlan(("variant", "style", "length"), ("variant", "style"), "exact_flexible")
    else:
        lengths = parse_int_list(args.lengths, "--lengths") if args.lengths else COUNT_LENGTHS
        kinds, styles = _split(args.tasks), _split(args.styles)
        items = count_items(kinds, styles, lengths, samples, seed)
        plan = SummaryPlan(("variant", "style", "length"), ("variant", "style"), "abs_error")
    settings = backend_settings(args)
    study = {"family": args.family, "kinds": list(kinds), "styles": list(styles), "lengths": list(lengths),
             "samples": samples, "seed": seed, "mode": args.mode}
    config = with_settings(RunConfig(), {
        **settings, "templates": args.templates, "extra": {"oversquash": study}, "algorithms": "",
        "lengths": tuple(lengths), "styles": tuple(styles), "modes": (args.mode,), "samples": samples,
    })
    units = squash_units(items, config.models, args.mode, config.temperature, config.max_tokens, TemplateSet(args.templates))
    return report_outcome(execute_run(config, units, plan), config.dry_run)
