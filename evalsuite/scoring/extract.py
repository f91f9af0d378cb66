"""Answer extraction as two named pipelines, reported side by side for every sample.

strict: completion mode, the output up to its first blank line; chat mode, the whole reply;
stripped; for trace-style items, the part after the last ` | `.
flexible: drops <think> blocks and code fences; in completion mode looks before the first
blank line first; takes the line that starts with the output
name and a colon when there is one, else the last expression of the gold answer's shape;
for trace-style items, the part after the last ` | `; written back in CLRS-Text notation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evalsuite.scoring.shape import Shape, find_last, render

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_THINK = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"^[ \t]*```[^\n]*$", re.MULTILINE)
_SEPARATOR = " | "


@dataclass(frozen=True)
class FlexibleAnswer:
    """The flexible pipeline's answer and its leaf values, or why it found none."""

    text: str | None
    leaves: tuple[str, ...] | None
    failure: str | None


def normalise(text: str) -> str:
    """Runs of whitespace collapsed to one space, ends stripped."""
    return " ".join(text.split())


def after_last_separator(text: str) -> str:
    """The final answer of a `trace | answer` text (a leading space lets `| 1` split too)."""
    padded = f" {text}"
    return padded.rpartition(_SEPARATOR)[2] if _SEPARATOR in padded else text


def strict_region(output: str, mode: str) -> str:
    """The part of the output the strict pipeline reads."""
    return _BLANK_LINE.split(output, 1)[0] if mode == "completion" else output


def strict_answer(output: str, mode: str, trace_style: bool) -> str:
    region = strict_region(output, mode).strip()
    return after_last_separator(region).strip() if trace_style else region


def clean_reply(output: str) -> str:
    """The output without reasoning blocks and code-fence lines."""
    return _FENCE.sub("", _THINK.sub("", output))


def _labelled_line(text: str, label: str) -> str | None:
    pattern = re.compile(
        rf"^[ \t>*_`#-]*{re.escape(label)}[*_`]*[ \t]*[:=][ \t]*(.+)$", re.MULTILINE | re.IGNORECASE
    )
    found = pattern.findall(text)
    return found[-1] if found else None


def _search(text: str, shape: Shape, label: str, trace_style: bool) -> list[str] | None:
    text = clean_reply(text)
    if trace_style:
        text = after_last_separator(text)
    line = _labelled_line(text, label)
    leaves = find_last(shape, line) if line is not None else None
    return leaves if leaves is not None else find_last(shape, text)


def flexible_answer(
    output: str,
    shape: Shape,
    label: str,
    trace_style: bool,
    mode: str = "chat",
    finish_reason: str | None = None,
) -> FlexibleAnswer:
    """The flexible pipeline's answer in CLRS-Text notation, or the reason there is none.

    In completion mode the answer is looked for before the first blank line first, since a
    base model that runs on writes the next made-up example after it.
    """
    if trace_style and finish_reason == "length" and _SEPARATOR not in f" {output}":
        return FlexibleAnswer(None, None, "truncated")  # cut off inside the trace
    leaves = None
    if mode == "completion":
        leaves = _search(strict_region(output, mode), shape, label, trace_style)
    if leaves is None:
        leaves = _search(output, shape, label, trace_style)
    if leaves is not None:
        return FlexibleAnswer(render(shape, leaves), tuple(leaves), None)
    if not output.strip():
        failure = "empty"
    elif finish_reason == "length":
        failure = "truncated"
    else:
        failure = "no_answer"
    return FlexibleAnswer(None, None, failure)
