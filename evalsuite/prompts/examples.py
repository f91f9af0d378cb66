"""Solved few-shot examples: same algorithm, own seed stream, never an evaluated item."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from evalsuite.clrs.generate import iter_traces
from evalsuite.clrs.registry import get_algorithm
from evalsuite.clrs.render import render
from evalsuite.clrs.spec import Flavor, Trace
from evalsuite.errors import EvalsuiteError

# Examples for items of seed s come from sampler seed EXAMPLE_SEED_OFFSET + s: a stream no
# split of the paper uses, so examples and items are drawn independently.
EXAMPLE_SEED_OFFSET = 1_000_000
MAX_SKIPPED = 1_000


def input_key(algo_name: str, question: str) -> tuple[str, str]:
    """What identifies a problem instance: its algorithm and its inputs line (no trace)."""
    lines = question.split("\n")
    inputs = lines[1] if len(lines) > 1 else question
    return algo_name, inputs.split(", initial_trace: ")[0]


@dataclass
class _Stream:
    """The examples kept so far from one sampler, and the sampler itself."""

    traces: Iterator[tuple[int, Trace]]
    kept: list[tuple[int, Trace]] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)


class ExamplePool:
    """Deterministic solved examples for the items of one evaluation.

    Item `index` of (algorithm, length, seed) gets the examples at positions
    index*shots, index*shots+1, ... of the example stream of (algorithm, length, seed),
    skipping any whose input equals an evaluated item's (`exclude`) or another example's.
    """

    def __init__(
        self,
        flavor: Flavor = "current",
        example_length: int | None = None,
        exclude: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.flavor = flavor
        self.example_length = example_length
        self.exclude = set(exclude)
        self._streams: dict[tuple[str, int, int], _Stream] = {}

    def _kept(self, algo_name: str, length: int, seed: int, needed: int) -> list[tuple[int, Trace]]:
        key = (algo_name, length, seed)
        if key not in self._streams:
            self._streams[key] = _Stream(enumerate(iter_traces(algo_name, length, seed, self.flavor)))
        stream = self._streams[key]
        spec = get_algorithm(algo_name)
        skipped = 0
        while len(stream.kept) < needed:
            position, trace = next(stream.traces)
            question, _ = render(spec, trace, False, self.flavor)
            identity = input_key(algo_name, question)
            if identity in self.exclude or identity in stream.seen:
                skipped += 1
                if skipped > MAX_SKIPPED:
                    raise EvalsuiteError(
                        f"cannot find {needed} distinct examples of {algo_name} at length {length} "
                        "that differ from the evaluated items; use fewer shots or --example-length"
                    )
                continue
            stream.seen.add(identity)
            stream.kept.append((position, trace))
        return stream.kept

    def examples(
        self, algo_name: str, length: int, seed: int, index: int, shots: int, use_hints: bool
    ) -> list[tuple[str, str, str]]:
        """(example id, question, answer) of the `shots` examples for one item."""
        if shots == 0:
            return []
        example_length = self.example_length or length
        example_seed = EXAMPLE_SEED_OFFSET + seed
        kept = self._kept(algo_name, example_length, example_seed, (index + 1) * shots)
        spec = get_algorithm(algo_name)
        chosen = []
        for position, trace in kept[index * shots:(index + 1) * shots]:
            question, answer = render(spec, trace, use_hints, self.flavor)
            example_id = f"{algo_name}/{example_length}/{example_seed}/{position}"
            chosen.append((example_id, question, answer))
        return chosen
