"""Completion → Score: the CLRS-Text metrics of one model output."""

from __future__ import annotations

from dataclasses import dataclass, fields

from evalsuite.clrs.answers import split_answer, split_frames, top_level_parts
from evalsuite.clrs.registry import ALGORITHMS
from evalsuite.scoring.extract import (
    after_last_separator,
    clean_reply,
    flexible_answer,
    normalise,
    strict_answer,
    strict_region,
)
from evalsuite.scoring.shape import parse_exact, same_number

TRACE_HEADER = "trace | "


@dataclass(frozen=True)
class Score:
    """Scores of one output, with what each extraction pipeline took from it.

    exact_strict / exact_flexible: the extracted final answer equals the gold one after
    whitespace is normalised (the paper's accuracy). elementwise: the fraction of the gold
    answer's values the flexible answer gets right (0 when no answer of the right shape).
    parsed: the flexible pipeline found an answer of the right shape. trace_prefix: the
    share of gold trace frames reproduced in order before the first wrong one;
    first_wrong_step: the 0-based index of that frame (None when all are right).
    """

    strict_answer: str
    flexible_answer: str | None
    failure: str | None
    exact_strict: bool
    exact_flexible: bool
    elementwise: float
    parsed: bool
    trace_prefix: float | None = None
    first_wrong_step: int | None = None
    abs_error: float | None = None

    def to_dict(self) -> dict:
        # Shallow on purpose (every field is a plain value): dataclasses.asdict deep-copies,
        # and this runs once per sample.
        return {name: getattr(self, name) for name in SCORE_FIELDS}


SCORE_FIELDS = tuple(field.name for field in fields(Score))


@dataclass(frozen=True)
class Gold:
    """What a CLRS-Text item asks for, read from its question and answer texts."""

    algo_name: str
    label: str
    trace_style: bool
    answer: str
    frames: tuple[str, ...]
    parsed: tuple | None = None  # (shape, leaves) of the answer; None if it has no known shape

    @classmethod
    def from_texts(cls, question: str, answer: str) -> "Gold":
        lines = question.rstrip("\n").split("\n")
        algo_name = lines[0].rstrip(":")
        label = lines[-1].rstrip(":")
        trace_style = label.startswith(TRACE_HEADER)
        if trace_style:
            label = label[len(TRACE_HEADER):]
        trace, final = split_answer(answer)
        spec = ALGORITHMS.get(algo_name)
        if trace is None:
            frames: tuple[str, ...] = ()
        elif spec is not None:
            frames = split_frames(spec, trace)
        else:
            frames = tuple(top_level_parts(trace))
        return cls(algo_name, label.strip("()"), trace_style, final, frames, parse_exact(final))


def score_clrs(output: str, gold: Gold, mode: str = "completion", finish_reason: str | None = None) -> Score:
    """Score one output against a CLRS-Text item's gold answer (and trace, in trace style)."""
    strict = strict_answer(output, mode, gold.trace_style)
    exact_strict = normalise(strict) == normalise(gold.answer)
    trace_prefix, first_wrong_step = _trace_scores(output, gold, mode)
    parsed_gold = gold.parsed
    if parsed_gold is None:  # a gold answer we cannot read: fall back to text equality
        flexible = normalise(after_last_separator(clean_reply(output)))
        exact = flexible == normalise(gold.answer)
        return Score(strict, flexible, None, exact_strict, exact, float(exact), False,
                     trace_prefix, first_wrong_step)
    shape, gold_leaves = parsed_gold
    if exact_strict:  # what strict read is the gold answer: flexible would find it too
        return Score(strict, gold.answer, None, True, True, 1.0, True, trace_prefix, first_wrong_step)
    found = flexible_answer(output, shape, gold.label, gold.trace_style, mode, finish_reason)
    if found.text is None:
        return Score(strict, None, found.failure, exact_strict, False, 0.0, False,
                     trace_prefix, first_wrong_step)
    right = sum(same_number(a, b) for a, b in zip(found.leaves, gold_leaves))
    return Score(
        strict_answer=strict,
        flexible_answer=found.text,
        failure=None,
        exact_strict=exact_strict,
        exact_flexible=normalise(found.text) == normalise(gold.answer),
        elementwise=right / len(gold_leaves),
        parsed=True,
        trace_prefix=trace_prefix,
        first_wrong_step=first_wrong_step,
    )


def output_frames(output: str, gold: Gold, mode: str) -> list[str]:
    """The trace frames a trace-style output writes, cut to the width of the gold frames."""
    region = clean_reply(strict_region(output, mode))
    # The trace is the line holding ` | ` (the last one, in a chatty reply); a reply cut off
    # before the separator is all trace.
    lines = [line for line in region.split("\n") if " | " in line]
    trace = lines[-1].rpartition(" | ")[0] if lines else region
    width = len(top_level_parts(gold.frames[0])) if gold.frames else 1
    parts = top_level_parts(trace.strip())
    return [", ".join(parts[i:i + width]) for i in range(0, len(parts), width)]


def _trace_scores(output: str, gold: Gold, mode: str) -> tuple[float | None, int | None]:
    """Share of gold frames reproduced in order, and the first wrong frame's index."""
    if not gold.trace_style:
        return None, None
    frames = output_frames(output, gold, mode)
    for step, expected in enumerate(gold.frames):
        if step >= len(frames) or normalise(frames[step]) != normalise(expected):
            return step / len(gold.frames), step
    if not gold.frames:
        return (1.0, None) if not frames else (0.0, 0)
    return 1.0, None
