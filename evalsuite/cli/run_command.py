"""`evalsuite run`: the end-to-end benchmark run (with no model: the quick default suite)."""

from __future__ import annotations

import argparse
import sys

from evalsuite.cli.options import parse_count, parse_int_list

HINT_STYLES = {"on": ("trace",), "off": ("zero-shot", "few-shot"), "both": ("zero-shot", "few-shot", "trace")}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "run",
        help="benchmark models on CLRS-Text: prompts, queries, scores, a resumable run directory",
        description=(
            "Build prompts for CLRS-Text items, query each model, score the answers and write "
            "a run directory (manifest.json, samples.jsonl, summary.csv). Re-running the same "
            "command on the same --out, or --resume DIR, does only what is missing. With no "
            "--model: the quick default suite on the embedded model llamacpp/gemma-3-270m."
        ),
    )
    what = parser.add_argument_group("what to evaluate")
    what.add_argument("--model", nargs="+", action="extend", dest="models", metavar="PROVIDER/MODEL",
                      help="openai/…, anthropic/…, llamacpp/…, hf/…, vllm/…, dummy/oracle, dummy/random, "
                           "dummy/slow (default: llamacpp/gemma-3-270m)")
    what.add_argument("--algorithms", help="'all' or a comma-separated list (default: all)")
    what.add_argument("--lengths", help="e.g. 4,5,10 or 4-16 (default: 4, or the preset's)")
    what.add_argument("--seeds", help="e.g. 0,1 (default: 0, or the preset's)")
    what.add_argument("--samples", help="samples per (algorithm, length, seed) (default: 2, or the preset's)")
    what.add_argument("--hints", choices=tuple(HINT_STYLES), help="on: trace style; off: zero-shot and few-shot; both: all three")
    what.add_argument("--flavor", choices=("current", "paper"), help="number format (default: current)")
    what.add_argument("--preset", choices=("paper-train", "paper-val"), help="the paper's split")
    what.add_argument("--dataset", help="evaluate this CLRS-Text file (JSONL or Parquet: question, answer, algo_name[, length])")
    what.add_argument("--config", help="TOML file describing a whole grid; options given here override it")
    what.add_argument("--shard", help="run part I of N disjoint parts of the items, e.g. 2/4")
    how = parser.add_argument_group("how to prompt")
    how.add_argument("--style", nargs="+", dest="styles", help="zero-shot, few-shot, trace (default: zero-shot few-shot)")
    how.add_argument("--shots", help="examples per prompt, one or a list: 2 or 0,2,5 (default: 2)")
    how.add_argument("--mode", nargs="+", dest="modes", help="completion and/or chat (default: completion)")
    how.add_argument("--fewshot-layout", dest="layout", help="chat: single (one message) or multiturn")
    how.add_argument("--example-length", help="length of the few-shot examples (default: the item's)")
    how.add_argument("--templates", help="folder whose files override the built-in prompt templates")
    how.add_argument("--max-tokens", help="tokens to generate (default: enough for the gold answer)")
    how.add_argument("--temperature", type=float)
    how.add_argument("--samples-per-item", metavar="K",
                     help="completions per item and prompt, each its own line with a recorded seed "
                          "(default: 1; K > 1 needs --temperature above 0)")
    add_backend_options(parser)
    cluster = parser.add_argument_group("on a Ray cluster (local models only)")
    cluster.add_argument("--ray", nargs="?", const="auto", metavar="ADDRESS",
                         help="run the engines on Ray workers: the cluster at ADDRESS, or with no "
                              "ADDRESS the one in RAY_ADDRESS, else a local one started for the run")
    cluster.add_argument("--ray-workers", metavar="N",
                         help="engine workers (default: one per free GPU, else one per 4 free CPUs; "
                              "dummy/ models one per CPU)")
    where = parser.add_argument_group("where")
    where.add_argument("--out", help="run directory (default: results/<timestamp>-<model>/)")
    where.add_argument("--resume", metavar="DIR", help="finish the run in DIR with its recorded configuration")
    where.add_argument("--batch-cancel", action="store_true",
                       help="with --resume DIR: cancel the run's batches still in flight (--batch)")
    parser.set_defaults(handler=run)


ENGINE_GROUPS = {
    "hosted": "hosted APIs (openai/, anthropic/)",
    "hf": "transformers (hf/)",
    "vllm": "vLLM (vllm/)",
    "llamacpp": "llama.cpp (llamacpp/)",
}


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    """The response cache, and each engine's options in a group of its own (built from the
    engines' option dataclasses, so that flags, defaults and help cannot drift apart)."""
    from dataclasses import fields

    from evalsuite.backends.options import ENGINE_TYPES, flag

    general = parser.add_argument_group("responses")
    general.add_argument("--cache", help="response cache file (default: ~/.cache/evalsuite/responses.sqlite)")
    general.add_argument("--no-cache", action="store_true", help="no response cache")
    general.add_argument("--dry-run", action="store_true", help="print requests, estimated tokens and cost; send nothing")
    seen: set[str] = set()
    for engine, kind in ENGINE_TYPES.items():
        group = parser.add_argument_group(ENGINE_GROUPS[engine])
        for item in fields(kind):
            if item.name in seen:
                continue
            seen.add(item.name)
            # Values are checked by the engine's options (one line, exit 2), not by argparse.
            if item.type == "bool":  # a switch; None when not given, so a grid file's value stands
                group.add_argument(flag(item.name), dest=f"engine_{item.name}", action="store_const",
                                   const=True, default=None, help=item.metadata["help"])
                continue
            group.add_argument(flag(item.name), dest=f"engine_{item.name}", metavar=item.name.upper(), type=_parser_of(item.type),
                               help=item.metadata["help"])


def _parser_of(annotation: str):
    return int if annotation.startswith("int") else float if annotation.startswith("float") else str


def backend_settings(args: argparse.Namespace) -> dict:
    """Engine, output and budget settings given on the command line (engine options by their
    field names, e.g. `concurrency`, `dtype`)."""
    from evalsuite.backends.options import OWNERS

    settings = {name: getattr(args, f"engine_{name}") for name in OWNERS
                if getattr(args, f"engine_{name}", None) is not None}
    if args.temperature is not None:
        settings["temperature"] = args.temperature
    if args.cache is not None:
        settings["cache"] = args.cache
    if args.models:
        settings["models"] = tuple(args.models)
    if args.max_tokens is not None:
        settings["max_tokens"] = parse_count(args.max_tokens, "--max-tokens")
    if args.no_cache:
        settings["cache"] = None
    if args.out:
        settings["out"] = args.out
    if args.dry_run:
        settings["dry_run"] = True
    return settings


def command_line_settings(args: argparse.Namespace) -> dict:
    """The settings given on the command line (None = not given, so the config file or the
    defaults apply)."""
    from evalsuite.errors import EvalsuiteError
    from evalsuite.run.config import parse_shard

    settings = backend_settings(args)
    for name in ("algorithms", "flavor", "preset", "dataset", "templates", "layout"):
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    for name, option in (("lengths", "--lengths"), ("seeds", "--seeds"), ("shots", "--shots")):
        if getattr(args, name) is not None:
            settings[name] = parse_int_list(getattr(args, name), option)
    for name, option in (("samples", "--samples"), ("example_length", "--example-length"),
                         ("samples_per_item", "--samples-per-item")):
        if getattr(args, name) is not None:
            settings[name] = parse_count(getattr(args, name), option)
    if args.styles:
        settings["styles"] = tuple(args.styles)
    if args.modes:
        settings["modes"] = tuple(args.modes)
    if args.hints:
        wanted = HINT_STYLES[args.hints]
        if args.styles and args.hints != "both" and set(args.styles) - set(wanted):
            raise EvalsuiteError(f"--hints {args.hints} does not fit --style {' '.join(args.styles)} (trace style needs hints on)")
        settings.setdefault("styles", wanted)
    if args.shard:
        settings["shard"] = parse_shard(args.shard)
    if args.ray_workers is not None and args.ray is None:
        raise EvalsuiteError("--ray-workers needs --ray")
    if args.ray is not None:
        from evalsuite.cluster.options import RayOptions

        workers = parse_count(args.ray_workers, "--ray-workers") if args.ray_workers is not None else None
        settings["ray"] = RayOptions(args.ray, workers)
    return settings


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from evalsuite.errors import EvalsuiteError
    from evalsuite.run import RunConfig, run_benchmark
    from evalsuite.run.config import config_from_toml, resolve, with_settings
    from evalsuite.run.store import RunStore

    settings = command_line_settings(args)
    if args.batch_cancel and not args.resume:
        raise EvalsuiteError("--batch-cancel needs --resume DIR: the run whose batches to cancel")
    if args.resume:
        recorded = RunConfig.from_manifest(RunStore(args.resume).read_manifest()["config"])
        config = with_settings(replace(recorded, out=args.resume),
                               {k: v for k, v in settings.items() if k not in recorded.identity()})
    else:
        file_settings = config_from_toml(args.config) if args.config else {}
        config = resolve(RunConfig(), file_settings, settings)
    if args.batch_cancel:
        from evalsuite.run.batches import cancel_batches

        print(cancel_batches(config))
        return 0
    if not config.engines.hosted.batch or config.dry_run:
        return report_outcome(run_benchmark(config), config.dry_run)
    from evalsuite.run.batches import resume_hint
    from evalsuite.run.benchmark import default_out_dir

    config = replace(config, out=config.out or str(default_out_dir(config)))
    try:
        outcome = run_benchmark(config)
    except KeyboardInterrupt:
        print(resume_hint(config.out), file=sys.stderr)
        return 130
    return report_outcome(outcome, config.dry_run)


def report_outcome(outcome, dry_run: bool) -> int:
    """Print the table and the totals; exit code 1 when samples failed after the retries."""
    if dry_run:
        print(outcome.summary)
        return 0
    totals = outcome.totals
    print(outcome.summary)
    print(
        f"{outcome.directory}: {outcome.units} samples ({outcome.already_done} already done, "
        f"{totals.requests} now: {totals.cached} from cache, {totals.failed} failed); "
        f"{totals.input_tokens} input and {totals.output_tokens} output tokens, ${totals.cost_usd:.4f}",
        file=sys.stderr,
    )
    for line in failure_advice(totals):
        print(line, file=sys.stderr)
    return 1 if totals.failed else 0


def samples(count: int) -> str:
    """'1 sample', '2 samples'."""
    return f"{count} sample" if count == 1 else f"{count} samples"


def failure_advice(totals) -> list[str]:
    """What to do about the failed samples: a re-run retries only them, except those the
    model refused, which would fail the same way (each kind gets its own line)."""
    lines = []
    if totals.retryable:
        causes = ", ".join(f"{cause} {count}" for cause, count in totals.failures.most_common()
                           if cause != "rejected")
        lines.append(f"evalsuite: {samples(totals.retryable)} failed after retries ({causes}); "
                     "run again to retry only them")
    if totals.over_context:
        verb = "does" if totals.over_context == 1 else "do"
        lines.append(
            f"evalsuite: {samples(totals.over_context)} {verb} not fit the model's context "
            "(prompt plus max_tokens) and would fail the same way again: use shorter --lengths, a smaller "
            "--max-tokens, or a model with a longer context (vllm/: a larger --max-model-len)")
    refused = totals.rejected - totals.over_context
    if refused:
        verb = "was" if refused == 1 else "were"
        lines.append(
            f"evalsuite: {samples(refused)} {verb} rejected by the model (their error is in "
            "samples.jsonl) and would be rejected again: change the request, not the number of tries")
    return lines
