"""`evalsuite prompt`: print the prompt one item would get, before paying for a run."""

from __future__ import annotations

import argparse
import json

from evalsuite.cli.options import parse_count

DEFAULT_SHOTS = 3


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "prompt",
        help="print the rendered prompt for one CLRS-Text item",
        description="Render the prompt for sample INDEX of (ALGORITHM, LENGTH, SEED) and print it.",
    )
    parser.add_argument("--algorithm", required=True, help="e.g. bfs (see `evalsuite algorithms`)")
    parser.add_argument("--length", required=True, help="the item's length (number of nodes/elements)")
    parser.add_argument("--seed", default="0", help="sampler seed of the item (default: 0)")
    parser.add_argument("--index", default="0", help="which sample of that sampler (default: 0)")
    add_prompt_options(parser)
    parser.add_argument("--json", action="store_true", help="print the whole Prompt record as JSON")
    parser.set_defaults(handler=run)


def add_prompt_options(parser: argparse.ArgumentParser) -> None:
    """The options that decide how items are put to a model (shared with `evalsuite run`)."""
    parser.add_argument("--style", default="zero-shot", help="zero-shot, few-shot or trace (default: zero-shot)")
    parser.add_argument("--shots", help=f"solved examples per prompt (default: 0 for zero-shot, else {DEFAULT_SHOTS})")
    parser.add_argument("--mode", default="completion", help="completion (base models) or chat (default: completion)")
    parser.add_argument("--fewshot-layout", default="single",
                        help="chat mode: examples in one user message (single) or as user/assistant turns (multiturn)")
    parser.add_argument("--example-length", help="length of the examples (default: the item's length)")
    parser.add_argument("--flavor", choices=("current", "paper"), default="current", help="number format (default: current)")
    parser.add_argument("--templates", help="folder whose files override the built-in templates by name")


def prompt_options(args: argparse.Namespace):
    from evalsuite.prompts import PromptOptions

    if args.shots is None:
        shots = 0 if args.style == "zero-shot" else DEFAULT_SHOTS
    else:
        shots = parse_count(args.shots, "--shots")
    options = PromptOptions(style=args.style, mode=args.mode, shots=shots, layout=args.fewshot_layout)
    options.check()
    return options


def run(args: argparse.Namespace) -> int:
    from evalsuite.clrs import iter_samples
    from evalsuite.prompts import ExamplePool, TemplateSet, render_prompt

    options = prompt_options(args)
    templates = TemplateSet(args.templates)
    length, seed, index = (parse_count(getattr(args, name), f"--{name}") for name in ("length", "seed", "index"))
    example_length = parse_count(args.example_length, "--example-length") if args.example_length else None
    hints = "on" if options.style == "trace" else "off"
    *_, item = iter_samples([args.algorithm], [length], [seed], index + 1, hints, args.flavor)
    pool = ExamplePool(args.flavor, example_length)
    prompt = render_prompt(item, options, pool, templates)
    if args.json:
        print(json.dumps(prompt.to_dict(), indent=2, ensure_ascii=False))
    elif prompt.text is not None:
        print(prompt.text, end="")
    else:
        for message in prompt.messages:
            print(f"--- {message.role} ---\n{message.content}")
    return 0
