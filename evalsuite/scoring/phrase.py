"""Scoring answers asked for in a phrase (the copying and counting tasks).

strict: the integer after the requested phrase (its last occurrence);
flexible: the last integer in the output (reasoning blocks dropped); abs_error from it.
"""

from __future__ import annotations

import re

from evalsuite.scoring.extract import clean_reply
from evalsuite.scoring.score import Score

COPY_PHRASE = "The answer to your question is:"
COUNT_PHRASE = "The final answer to your maths question is:"
_INTEGER = re.compile(r"-?\d[\d,]*")


def _integer(text: str) -> int | None:
    try:
        return int(text.replace(",", ""))
    except ValueError:
        return None


def score_phrase(output: str, gold: int, phrase: str, finish_reason: str | None = None) -> Score:
    """Score an integer answer requested as `phrase: X`."""
    requested = re.findall(re.escape(phrase) + r"[\s*_`'\"<]*(-?\d[\d,]*)", output, flags=re.IGNORECASE)
    strict_value = _integer(requested[-1]) if requested else None
    integers = _INTEGER.findall(clean_reply(output)[-100_000:])
    flexible_value = _integer(integers[-1]) if integers else None
    if flexible_value is None:
        failure = "empty" if not output.strip() else ("truncated" if finish_reason == "length" else "no_answer")
    else:
        failure = None
    right = flexible_value == gold
    return Score(
        strict_answer="" if strict_value is None else str(strict_value),
        flexible_answer=None if flexible_value is None else str(flexible_value),
        failure=failure,
        exact_strict=strict_value == gold,
        exact_flexible=right,
        elementwise=float(right),
        parsed=flexible_value is not None,
        abs_error=None if flexible_value is None else float(abs(flexible_value - gold)),
    )
