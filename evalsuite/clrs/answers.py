"""Reading CLRS-Text answers back: the final answer, the trace, and the trace's frames."""

from __future__ import annotations

import re

from evalsuite.clrs.render import TRACE_SEPARATOR
from evalsuite.clrs.spec import AlgorithmSpec

_OPEN, _CLOSE = "[(", "])"
_STRUCTURE = re.compile(r"[\[\]\(\),]")


def split_answer(answer: str) -> tuple[str | None, str]:
    """(trace, final answer) of an answer text; trace is None when there is no ` | `."""
    text = answer.strip()
    if TRACE_SEPARATOR in f" {text}":  # a leading space lets an empty trace (" | 1") split
        trace, _, final = f" {text}".rpartition(TRACE_SEPARATOR)
        return trace.strip(), final.strip()
    return None, text


def top_level_parts(text: str) -> list[str]:
    """Split on ', ' outside brackets and parentheses: `[1 2], 3, (0, 1)` has three parts."""
    parts, depth, start = [], 0, 0
    for match in _STRUCTURE.finditer(text):
        char = match.group()
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif depth == 0:
            parts.append(text[start:match.start()].strip())
            start = match.end()
    tail = text[start:].strip()
    if tail or parts:
        parts.append(tail)
    return parts


def split_frames(spec: AlgorithmSpec, trace: str) -> tuple[str, ...]:
    """The frames of a trace text, each as CLRS-Text prints it (`[0 1 2], 0` for topo)."""
    parts = top_level_parts(trace)
    width = 1 if spec.parenthesised else max(len(spec.hints), 1)
    return tuple(", ".join(parts[i:i + width]) for i in range(0, len(parts), width))
