"""Items and work units: what a run evaluates, and the prompt each (item, configuration) gets."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, replace
from typing import Callable, Iterable

from evalsuite.backends.base import Completion, GenerationParams, Request
from evalsuite.clrs.generate import Sample, iter_samples
from evalsuite.clrs.registry import (
    ALGORITHMS,
    parse_algorithms,
    unknown_algorithm_message,
)
from evalsuite.clrs.splits import PRESETS
from evalsuite.datafiles import read_records
from evalsuite.errors import EvalsuiteError
from evalsuite.prompts import (
    ExamplePool,
    Prompt,
    PromptOptions,
    TemplateSet,
    render_prompt,
)
from evalsuite.prompts.examples import input_key
from evalsuite.run.config import RunConfig
from evalsuite.scoring import Gold, score_clrs

DATASET_SEED = -1  # items read from a file have no sampler seed
CHAT_SLACK_TOKENS = 128  # chat models often say a few words around the answer


@dataclass(frozen=True)
class WorkUnit:
    """One (item, model, prompt configuration): one line of samples.jsonl.

    `fields` is what the record says about the item and its prompt; `score` turns the
    model's completion into the score fields. The run machinery needs nothing else, so any
    task family (CLRS-Text, the over-squashing tasks) runs through it.
    """

    key: str
    model: str
    request: Request
    fields: dict
    score: Callable[[Completion], dict]
    template: str = ""
    template_sha256: str = ""


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


def unit_key(prompt: Prompt, model: str, options: PromptOptions, sample_index: int | None = None) -> str:
    """The line's key; repeated samples add their index (a single sample keeps the plain key)."""
    key = f"{prompt.item_id}|{model}|{options.style}|{options.shots}|{options.mode}|{options.layout}"
    return key if sample_index is None else f"{key}|sample={sample_index}"


def sample_seed(item_id: str, sample_index: int) -> int:
    """The generation seed of sample `sample_index` of an item: a 31-bit number read from the
    item id's hash, plus the index (so the K seeds of one item are always distinct)."""
    base = int.from_bytes(hashlib.sha256(item_id.encode("utf-8")).digest()[:4], "big") >> 1
    return (base + sample_index) % 2**31


def check_samples_per_item(config: RunConfig) -> None:
    """K >= 1; K > 1 only when sampling, since greedy decoding gives K copies of one answer."""
    if config.samples_per_item < 1:
        raise EvalsuiteError(f"--samples-per-item must be 1 or more, got {config.samples_per_item}")
    if config.samples_per_item > 1 and config.temperature <= 0:
        raise EvalsuiteError(
            f"--samples-per-item {config.samples_per_item} needs --temperature above 0 "
            "(at temperature 0 every sample is the same greedy answer)"
        )


def repeated_requests(request: Request, item_id: str, count: int) -> list[tuple[int | None, int | None, Request]]:
    """(sample index, seed, request) of each sample: one unseeded request for a single
    sample (as ever), else `count` requests with distinct recorded seeds."""
    if count == 1:
        return [(None, None, request)]
    seeds = [sample_seed(item_id, index) for index in range(count)]
    return [(index, seed, replace(request, params=replace(request.params, seed=seed))) for index, seed in enumerate(seeds)]


def clrs_fields(item: Sample, prompt: Prompt, options: PromptOptions) -> dict:
    """What a samples.jsonl line says about a CLRS-Text item and its prompt."""
    return {
        "item_id": prompt.item_id, "task": "clrs",
        "algo_name": item.algo_name, "length": item.length, "seed": item.seed, "index": item.index,
        "use_hints": item.use_hints, "flavor": item.flavor,
        "style": options.style, "shots": options.shots, "mode": options.mode, "layout": options.layout,
        "question": item.question, "answer": item.answer,
        "prompt": prompt.text,
        "messages": [asdict(m) for m in prompt.messages] if prompt.messages is not None else None,
        "template": prompt.template, "template_sha256": prompt.template_sha256,
        "example_ids": list(prompt.example_ids),
        "gold_answer": prompt.gold_answer, "gold_trace": list(prompt.gold_trace),
    }


def _clrs_scorer(item: Sample, mode: str) -> Callable[[Completion], dict]:
    def score(completion: Completion) -> dict:
        gold = Gold.from_texts(item.question, item.answer)
        return score_clrs(completion.text, gold, mode, completion.finish_reason).to_dict()

    return score


def build_units(config: RunConfig, items: Iterable[Sample], grid: list[PromptOptions]) -> list[WorkUnit]:
    """Every (item, model, prompt configuration, sample) whose style fits the item."""
    check_samples_per_item(config)
    items = list(items)
    templates = TemplateSet(config.templates)
    pool = ExamplePool(config.flavor, config.example_length, exclude=[input_key(i.algo_name, i.question) for i in items],
                       hints=_hints_needed(grid) != "off")
    units = []
    for options in grid:
        for item in items:
            if item.use_hints != (options.style == "trace"):
                continue
            if options.shots and not (item.length or config.example_length):
                raise EvalsuiteError("the dataset has no length column: give --example-length for few-shot examples")
            prompt = render_prompt(item, options, pool, templates)
            params = GenerationParams(max_tokens_for(config, item, options.mode), config.temperature, prompt.stop,
                                      fit_context=not config.max_tokens)
            request = Request(prompt.text, prompt.messages, params, gold=item.answer.rstrip("\n"))
            fields = clrs_fields(item, prompt, options)
            score = _clrs_scorer(item, options.mode)
            for index, seed, sample in repeated_requests(request, prompt.item_id, config.samples_per_item):
                recorded = {**fields, "sample_index": index or 0, "sample_seed": seed}
                for model in config.models:
                    units.append(WorkUnit(
                        unit_key(prompt, model, options, index), model, sample, {**recorded, "model": model},
                        score, prompt.template, prompt.template_sha256,
                    ))
    if not units:
        raise EvalsuiteError("nothing to run: no item fits the chosen styles (trace needs items with hints)")
    return units
