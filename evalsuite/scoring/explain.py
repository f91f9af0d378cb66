"""Why a score is what it is: the answer element by element and the trace step by step.

The viewer shows these beside the stored scores; they come from the same extraction and
comparison as `score_clrs`, so the wrong elements and the first wrong step shown are the
ones the metrics counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from evalsuite.scoring.extract import normalise
from evalsuite.scoring.score import Gold, output_frames, score_clrs
from evalsuite.scoring.shape import Bracketed, parse_exact, same_number


@dataclass(frozen=True)
class Element:
    """One value of the gold answer and what the flexible answer has in its place."""

    gold: str
    predicted: str | None
    right: bool


@dataclass(frozen=True)
class Step:
    """One frame of the gold trace and the model's frame at the same position."""

    gold: str
    predicted: str | None
    right: bool


@dataclass(frozen=True)
class Explanation:
    """`elements` is None when the gold answer has no known shape; `columns` is the row
    width of a matrix answer (None for anything else); `steps` is empty outside trace style;
    `first_wrong_step` is the index the trace_prefix metric stopped at (None: all right)."""

    elements: tuple[Element, ...] | None
    columns: int | None
    steps: tuple[Step, ...]
    first_wrong_step: int | None


def explain_clrs(output: str, gold: Gold, mode: str = "completion", finish_reason: str | None = None) -> Explanation:
    """The element-by-element and step-by-step comparison behind `score_clrs`."""
    score = score_clrs(output, gold, mode, finish_reason)
    elements, columns = None, None
    if gold.parsed is not None:
        shape, gold_leaves = gold.parsed
        found = parse_exact(score.flexible_answer) if score.flexible_answer is not None else None
        predicted = list(found[1]) if found is not None else []
        elements = tuple(
            Element(value, predicted[i] if i < len(predicted) else None,
                    i < len(predicted) and same_number(predicted[i], value))
            for i, value in enumerate(gold_leaves)
        )
        if isinstance(shape, Bracketed) and isinstance(shape.item, Bracketed):
            columns = shape.item.size
    steps: tuple[Step, ...] = ()
    if gold.trace_style:
        written = output_frames(output, gold, mode)
        steps = tuple(
            Step(expected, written[i] if i < len(written) else None,
                 i < len(written) and normalise(written[i]) == normalise(expected))
            for i, expected in enumerate(gold.frames)
        )
    return Explanation(elements, columns, steps, score.first_wrong_step)
