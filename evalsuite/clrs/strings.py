"""String matching (CLRS chapter 32): the naive matcher and Knuth-Morris-Pratt.

Both run on a haystack T and a needle P that the sampler embeds somewhere in T. The text
shows the concatenation T + P (`string` marks which node belongs to which, `key` holds
the characters), the output `match` (the shift of the first occurrence, or len(T) when
there is none), and with hints the shift `s` the algorithm is looking at, step by step.
"""

from __future__ import annotations

import numpy as np

from evalsuite.clrs.sampling import random_string
from evalsuite.clrs.spec import AlgorithmSpec, Field, Flavor, Kind, Trace

ALPHABET_SIZE = 4
# Haystack 2 and needle 1 is the least the official sampler can draw a shift for.
MIN_LENGTH = 3

INPUTS = (Field("string", Kind.INTS), Field("key", Kind.INTS))
MATCH = (Field("match", Kind.INDEX),)
SHIFT = (Field("s", Kind.INDEX),)


def needle_length(length: int) -> int:
    """How much of the `length` nodes the needle takes: 1 below 5 nodes, else a fifth."""
    return 1 if length < 5 else length // 5


def sample_haystack_and_needle(
    rng: np.random.RandomState, length: int, flavor: Flavor
) -> list[np.ndarray]:
    """The matcher sampler: a random needle copied into a random haystack.

    Draws the needle, then the haystack, then the embedding position (which, as in the
    official sampler, never lets the needle end at the haystack's last character).
    """
    needle_size = needle_length(length)
    haystack_size = length - needle_size
    needle = random_string(rng, needle_size, ALPHABET_SIZE)
    haystack = random_string(rng, haystack_size, ALPHABET_SIZE)
    # The official draw; it raises for an empty range, i.e. for lengths below MIN_LENGTH.
    position = rng.choice(haystack_size - needle_size)
    haystack[position:position + needle_size] = needle
    return [haystack, needle]


def _trace(haystack: list[int], needle: list[int], match: int, shifts: list[int]) -> Trace:
    string = [0] * len(haystack) + [1] * len(needle)
    return Trace(
        inputs=(string, haystack + needle),
        outputs=(match,),
        frames=tuple((shift,) for shift in shifts),
    )


def naive_string_matcher(haystack: np.ndarray, needle: np.ndarray) -> Trace:
    """Try every shift in turn, comparing character by character until a mismatch.

    A hint frame is pushed when a shift starts and after each matched character that
    does not complete the needle.
    """
    text, pattern = haystack.tolist(), needle.tolist()
    last = len(pattern) - 1
    shifts: list[int] = []
    for shift in range(len(text) - len(pattern) + 1):
        shifts.append(shift)
        for offset in range(len(pattern)):
            if text[shift + offset] != pattern[offset]:
                break
            if offset == last:
                return _trace(text, pattern, shift, shifts)
            shifts.append(shift)
    return _trace(text, pattern, len(text), shifts)


def _prefix_function(pattern: list[int]) -> tuple[list[int], list[bool], int]:
    """The failure links of `pattern`, as dm-clrs computes them.

    dm-clrs stores "no proper border" as a reset flag instead of the textbook -1:
    `links[q]` is the border length minus one, meaningful only where `is_reset[q]` is
    False. Returns the links, the flags and how many hint frames the computation pushes
    (one at the start, one per fallback step, one per needle position after the first).
    """
    size = len(pattern)
    links = list(range(size))
    is_reset = [False] * size
    is_reset[0] = True
    frames = 1
    border, border_reset = 0, True
    for q in range(1, size):
        while not border_reset and pattern[border + 1] != pattern[q]:
            if is_reset[border]:
                border, border_reset = 0, True
            else:
                border = links[border]
            frames += 1
        if border_reset:
            border, border_reset = -1, False
        if pattern[border + 1] == pattern[q]:
            border += 1
        if border == -1:
            border, border_reset = 0, True
            is_reset[q] = True
        links[q] = border
        frames += 1
    return links, is_reset, frames


def kmp_matcher(haystack: np.ndarray, needle: np.ndarray) -> Trace:
    """Knuth-Morris-Pratt: the prefix function first (shift 0 throughout), then one scan.

    In the scan a frame is pushed for each haystack character and for each fallback
    along the failure links; the shift shown is how far the window has slid.
    """
    text, pattern = haystack.tolist(), needle.tolist()
    links, is_reset, setup_frames = _prefix_function(pattern)
    shifts = [0] * setup_frames
    last = len(pattern) - 2  # `matched` is the index of the last matched character
    matched, matched_reset = 0, True
    shift = 0
    for i, char in enumerate(text):
        if i >= len(pattern):
            shift += 1
        shifts.append(shift)
        while not matched_reset and pattern[matched + 1] != char:
            if is_reset[matched]:
                matched, matched_reset = 0, True
            else:
                matched = links[matched]
            shifts.append(shift)
        if matched_reset:
            matched, matched_reset = -1, False
        if pattern[matched + 1] == char:
            if matched == last:
                return _trace(text, pattern, shift, shifts)
            matched += 1
        if matched == -1:
            matched, matched_reset = 0, True
    return _trace(text, pattern, len(text), shifts)


def _spec(name: str, run) -> AlgorithmSpec:
    return AlgorithmSpec(
        name=name, chapter="strings", inputs=INPUTS, outputs=MATCH, hints=SHIFT,
        sample=sample_haystack_and_needle, run=run, min_length=MIN_LENGTH, trace_label="s",
    )


ALGORITHMS = (
    _spec("naive_string_matcher", naive_string_matcher),
    _spec("kmp_matcher", kmp_matcher),
)
