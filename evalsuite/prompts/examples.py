"""Solved few-shot examples: same algorithm, own seed stream, never an evaluated item."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from evalsuite.clrs.generate import iter_traces
from evalsuite.clrs.registry import get_algorithm
from evalsuite.clrs.render import render_all
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


@dataclass(frozen=True)
class _Example:
    """A kept example as the prompts show it: rendered once, without hints and (where the
    pool renders hints) with them. Its trace is not kept: at long lengths a trace's nested
    lists take far more memory than its text."""

    position: int
    plain: tuple[str, str]
    hinted: tuple[str, str] | None


@dataclass
class _Stream:
    """The examples kept so far from one sampler, and the sampler itself."""

    traces: Iterator[tuple[int, Trace]]
    kept: list[_Example] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)


class ExamplePool:
    """Deterministic solved examples for the items of one evaluation.

    Item `index` of (algorithm, length, seed) gets the examples at positions
    index*shots, index*shots+1, ... of the example stream of (algorithm, length, seed),
    skipping any whose input equals an evaluated item's (`exclude`) or another example's.
    `hints=False` makes a pool for prompts without traces only: it never renders the traces.
    """

    def __init__(
        self,
        flavor: Flavor = "current",
        example_length: int | None = None,
        exclude: Iterable[tuple[str, str]] = (),
        hints: bool = True,
    ) -> None:
        self.flavor = flavor
        self.example_length = example_length
        self.exclude = set(exclude)
        self.hints = hints
        self._streams: dict[tuple[str, int, int], _Stream] = {}

    def _kept(self, algo_name: str, length: int, seed: int, needed: int) -> list[_Example]:
        key = (algo_name, length, seed)
        if key not in self._streams:
            self._streams[key] = _Stream(enumerate(iter_traces(algo_name, length, seed, self.flavor)))
        stream = self._streams[key]
        spec = get_algorithm(algo_name)
        skipped = 0
        while len(stream.kept) < needed:
            position, trace = next(stream.traces)
            texts = render_all(spec, trace, (False, True) if self.hints else (False,), self.flavor)
            plain, hinted = texts[0], (texts[1] if self.hints else None)
            identity = input_key(algo_name, plain[0])
            if identity in self.exclude or identity in stream.seen:
                skipped += 1
                if skipped > MAX_SKIPPED:
                    raise EvalsuiteError(
                        f"cannot find {needed} distinct examples of {algo_name} at length {length} "
                        "that differ from the evaluated items; use fewer shots or --example-length"
                    )
                continue
            stream.seen.add(identity)
            stream.kept.append(_Example(position, plain, hinted))
        return stream.kept

    def examples(
        self, algo_name: str, length: int, seed: int, index: int, shots: int, use_hints: bool
    ) -> list[tuple[str, str, str]]:
        """(example id, question, answer) of the `shots` examples for one item."""
        if shots == 0:
            return []
        if use_hints and not self.hints:
            raise ValueError("this example pool renders no hints (made with hints=False)")
        example_length = self.example_length or length
        example_seed = EXAMPLE_SEED_OFFSET + seed
        kept = self._kept(algo_name, example_length, example_seed, (index + 1) * shots)
        chosen = []
        for example in kept[index * shots:(index + 1) * shots]:
            question, answer = example.hinted if use_hints else example.plain
            example_id = f"{algo_name}/{example_length}/{example_seed}/{example.position}"
            chosen.append((example_id, question, answer))
        return chosen
