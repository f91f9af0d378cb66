"""What an algorithm is to CLRS-Text: its fields, how each prints, and one run's trace."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Callable, Literal, Sequence

import numpy as np

Flavor = Literal["current", "paper"]
FLAVORS: tuple[Flavor, ...] = ("current", "paper")


class Kind(enum.Enum):
    """How a field's value is printed.

    FLOATS and FLOAT_MATRIX hold real numbers, printed in the flavour's number format
    (a sorted permutation output is FLOATS: the keys in sorted order). INTS, INT_MATRIX
    and INDEX hold integers (pointers, masks, categories, with -1 for masked entries),
    printed the same in both flavours. FLOAT is a single real number (a graph-level scalar).
    """

    FLOATS = "floats"
    INTS = "ints"
    FLOAT_MATRIX = "float_matrix"
    INT_MATRIX = "int_matrix"
    INDEX = "index"
    FLOAT = "float"


@dataclass(frozen=True)
class Field:
    """One named input, output or hint of an algorithm, and how it prints."""

    name: str
    kind: Kind


@dataclass(frozen=True)
class Trace:
    """One run of an algorithm on one sampled input.

    `inputs` and `outputs` hold one value per field of the spec, in spec order. `frames`
    holds the trace the text shows: one tuple per hint step, one value per hint field; the
    first frame is the initial trace, the last equals the final state.
    Values are Python lists (nested for matrices), ints or floats.
    """

    inputs: tuple[Any, ...]
    outputs: tuple[Any, ...]
    frames: tuple[tuple[Any, ...], ...]


Sampler = Callable[[np.random.RandomState, int, Flavor], Sequence[Any]]
Runner = Callable[..., Trace]


@dataclass(frozen=True)
class AlgorithmSpec:
    """A CLRS-30 algorithm: its text fields, its input sampler and its traced implementation.

    `sample(rng, length, flavor)` makes exactly the random draws of the official sampler and
    returns the algorithm's arguments (before the `current` flavour's truncation, which the
    generator applies). `run(*arguments)` returns the Trace.
    `trace_label` is what the question asks for after `trace | ` when hints are on;
    `answer_from_trace` makes the last frame, not the output, the hinted final answer;
    `parenthesised` wraps every frame in parentheses.
    """

    name: str
    chapter: str
    inputs: tuple[Field, ...]
    outputs: tuple[Field, ...]
    hints: tuple[Field, ...]
    sample: Sampler
    run: Runner
    min_length: int = 1
    trace_label: str = ""
    answer_from_trace: bool = False
    parenthesised: bool = False

    @property
    def output_label(self) -> str:
        return ", ".join(field.name for field in self.outputs)

    @property
    def hinted_label(self) -> str:
        return self.trace_label or self.output_label
