"""CLRS-Text samples as a lazy stream of typed records."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Iterator, Literal

import numpy as np

from evalsuite.clrs.registry import get_algorithm
from evalsuite.clrs.render import render_all
from evalsuite.clrs.sampling import prepare_inputs
from evalsuite.clrs.spec import FLAVORS, AlgorithmSpec, Flavor, Trace
from evalsuite.errors import EvalsuiteError

Hints = Literal["on", "off", "both"]
HINT_CHOICES: tuple[Hints, ...] = ("on", "off", "both")


@dataclass(frozen=True)
class Sample:
    """One CLRS-Text example: sample `index` of the (algo_name, length, seed) sampler."""

    algo_name: str
    length: int
    seed: int
    index: int
    use_hints: bool
    flavor: Flavor
    question: str
    answer: str

    @property
    def text(self) -> str:
        return self.question + self.answer

    def to_dict(self) -> dict:
        """The record as written to JSONL or Parquet, with `text` = question + answer."""
        return {**asdict(self), "text": self.text}


@dataclass(frozen=True)
class Group:
    """The samples of one sampler: the unit of work that a worker process takes."""

    algo_name: str
    length: int
    seed: int
    samples: int
    hints: Hints
    flavor: Flavor


def check_length(spec: AlgorithmSpec, length: int) -> None:
    if length < spec.min_length:
        raise EvalsuiteError(
            f"length {length} is too short for {spec.name}: it needs at least {spec.min_length}"
        )


def iter_traces(algo_name: str, length: int, seed: int, flavor: Flavor = "current") -> Iterator[Trace]:
    """The endless stream of traces of one sampler, as dm-clrs draws them."""
    spec = get_algorithm(algo_name)
    check_length(spec, length)
    rng = np.random.RandomState(seed)
    while True:
        data = spec.sample(rng, length, flavor)
        yield spec.run(*prepare_inputs(data, flavor))


def iter_group(group: Group) -> Iterator[Sample]:
    """The samples of one group, each sample rendered without then with hints as asked."""
    spec = get_algorithm(group.algo_name)
    hint_modes = {"off": (False,), "on": (True,), "both": (False, True)}[group.hints]
    traces = iter_traces(group.algo_name, group.length, group.seed, group.flavor)
    for index in range(group.samples):
        trace = next(traces)
        for use_hints, (question, answer) in zip(hint_modes, render_all(spec, trace, hint_modes, group.flavor)):
            yield Sample(
                group.algo_name, group.length, group.seed, index, use_hints, group.flavor,
                question, answer,
            )


def plan_groups(
    algorithms: Iterable[str],
    lengths: dict[str, tuple[int, ...]] | Iterable[int],
    seeds: Iterable[int],
    samples: int,
    hints: Hints = "off",
    flavor: Flavor = "current",
) -> list[Group]:
    """Every (algorithm, length, seed) group, checked, in output order.

    `lengths` is one list for all algorithms, or a list per algorithm (as presets give).
    """
    if samples < 0:
        raise EvalsuiteError(f"--samples must be 0 or more, got {samples}")
    if hints not in HINT_CHOICES:
        raise EvalsuiteError(f"--hints must be one of {', '.join(HINT_CHOICES)}, got {hints!r}")
    if flavor not in FLAVORS:
        raise EvalsuiteError(f"--flavor must be one of {', '.join(FLAVORS)}, got {flavor!r}")
    seeds = tuple(seeds)
    for seed in seeds:
        if not 0 <= seed < 2**32:
            raise EvalsuiteError(f"seeds must be between 0 and 2**32 - 1, got {seed}")
    groups = []
    for algo_name in algorithms:
        spec = get_algorithm(algo_name)
        algo_lengths = lengths[algo_name] if isinstance(lengths, dict) else tuple(lengths)
        for length in algo_lengths:
            check_length(spec, length)
            groups.extend(
                Group(algo_name, length, seed, samples, hints, flavor) for seed in seeds
            )
    return groups


def iter_samples(
    algorithms: Iterable[str],
    lengths: dict[str, tuple[int, ...]] | Iterable[int],
    seeds: Iterable[int] = (0,),
    samples: int = 1,
    hints: Hints = "off",
    flavor: Flavor = "current",
) -> Iterator[Sample]:
    """Lazily yield CLRS-Text samples: algorithm, then length, then seed, then index.

    Memory stays constant however many samples are asked for.
    """
    for group in plan_groups(algorithms, lengths, seeds, samples, hints, flavor):
        yield from iter_group(group)
