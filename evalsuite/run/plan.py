"""Items and work units: what a run evaluates, and the prompt each (item, configuration) gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from evalsuite.backends.base import GenerationParams, Request
from evalsuite.clrs.generate import Sample, iter_samples
from evalsuite.clrs.registry import ALGORITHMS, parse_algorithms, unknown_algorithm_message
from evalsuite.clrs.splits import PRESETS
from evalsuite.datafiles import read_records
from evalsuite.errors import EvalsuiteError
from evalsuite.prompts import ExamplePool, Prompt, PromptOptions, TemplateSet, render_prompt
from evalsuite.prompts.examples import input_key
from evalsuite.run.config import RunConfig

DATASET_SEED = -1  # items read from a file have no sampler seed
CHAT_SLACK_TOKENS = 128  # chat models often say a few words around the answer


@dataclass(frozen=True)
class WorkUnit:
    """One (item, model, style, shots, mode): one line of samples.jsonl."""

    key: str
    item: Sample
    model: str
    options: PromptOptions
    prompt: Prompt
    request: Request


def prompt_grid(config: RunConfig) -> list[PromptOptions]:
    """styles × shots × modes; zero-shot only with 0 shots, each combination once."""
    grid = []
    for style in config.styles:
        for shots in ((0,) if style == "zero-shot" else config.shots):
            for mode in config.modes:
                options = PromptOptions(style, mode, shots, config.layout)
                options.check()
                if options not in grid:
                    grid.append(options)
    return grid


def _hints_needed(grid: list[PromptOptions]) -> str:
    wanted = {options.style == "trace" for options in grid}
    return "both" if len(wanted) == 2 else ("on" if True in wanted else "off")


def generated_items(config: RunConfig, hints: str) -> list[Sample]:
    if config.preset:
        if config.preset not in PRESETS:
            raise EvalsuiteError(f"--preset must be one of {', '.join(PRESETS)}, got {config.preset!r}")
        lengths = PRESETS[config.preset].lengths if config.lengths is None else config.lengths
    else:
        lengths = config.lengths
    algorithms = parse_algorithms(config.algorithms)
    return list(iter_samples(algorithms, lengths, config.seeds, config.samples, hints, config.flavor))


def dataset_items(path: str, flavor: str) -> list[Sample]:
    """Items of a CLRS-Text file (ours, or the released HF datasets: question, answer,
    algo_name, optional length)."""
    items = []
    for number, record in enumerate(read_records(path), 1):
        for name in ("question", "answer", "algo_name"):
            if not isinstance(record.get(name), str):
                raise EvalsuiteError(f"{path}:{number}: field {name!r} is missing")
        if record["algo_name"] not in ALGORITHMS:
            raise EvalsuiteError(f"{path}:{number}: " + unknown_algorithm_message(record["algo_name"]))
        items.append(Sample(
            algo_name=record["algo_name"],
            length=int(record.get("length") or 0),
            seed=int(record["seed"]) if record.get("seed") is not None else DATASET_SEED,
            index=int(record["index"]) if record.get("index") is not None else number - 1,
            use_hints="initial_trace: " in record["question"],
            flavor=record.get("flavor") if record.get("flavor") in ("current", "paper") else flavor,
            question=record["question"],
            answer=record["answer"],
        ))
    return items


def select_items(config: RunConfig, grid: list[PromptOptions]) -> list[Sample]:
    """The run's items, in order, restricted to this shard (items i with i % N == I - 1)."""
    items = dataset_items(config.dataset, config.flavor) if config.dataset else generated_items(config, _hints_needed(grid))
    index, count = config.shard
    return [item for position, item in enumerate(items) if position % count == index - 1]


def max_tokens_for(config: RunConfig, item: Sample, mode: str) -> int:
    if config.max_tokens:
        return config.max_tokens
    # Digits are one token each in common tokenizers, so the answer's characters bound its tokens.
    return 16 + len(item.answer) + (CHAT_SLACK_TOKENS if mode == "chat" else 0)


def unit_key(prompt: Prompt, model: str, options: PromptOptions) -> str:
    return f"{prompt.item_id}|{model}|{options.style}|{options.shots}|{options.mode}|{options.layout}"


def build_units(config: RunConfig, items: Iterable[Sample], grid: list[PromptOptions]) -> list[WorkUnit]:
    """Every (item, model, prompt configuration) whose style fits the item."""
    items = list(items)
    templates = TemplateSet(config.templates)
    pool = ExamplePool(config.flavor, config.example_length, exclude=[input_key(i.algo_name, i.question) for i in items])
    units = []
    for options in grid:
        for item in items:
            if item.use_hints != (options.style == "trace"):
                continue
            if options.shots and not (item.length or config.example_length):
                raise EvalsuiteError("the dataset has no length column: give --example-length for few-shot examples")
            prompt = render_prompt(item, options, pool, templates)
            params = GenerationParams(max_tokens_for(config, item, options.mode), config.temperature, prompt.stop)
            request = Request(prompt.text, prompt.messages, params, gold=item.answer.rstrip("\n"))
            for model in config.models:
                units.append(WorkUnit(unit_key(prompt, model, options), item, model, options, prompt, request))
    if not units:
        raise EvalsuiteError("nothing to run: no item fits the chosen styles (trace needs items with hints)")
    return units
