"""Specification tests for the string matchers (naive and Knuth-Morris-Pratt)."""

from __future__ import annotations

import numpy as np
import pytest

from evalsuite.clrs.strings import (
    ALGORITHMS,
    kmp_matcher,
    naive_string_matcher,
    needle_length,
    sample_haystack_and_needle,
)

MATCHERS = (naive_string_matcher, kmp_matcher)


def _digits(text: str) -> np.ndarray:
    return np.array([int(char) for char in text])


def _run(matcher, text: str, pattern: str):
    return matcher(_digits(text), _digits(pattern))


@pytest.mark.parametrize("matcher", MATCHERS)
@pytest.mark.parametrize(
    "text, pattern, expected",
    [("0123", "23", 2), ("0101012", "012", 4), ("3333", "33", 0), ("0000", "1", 4),
     ("012", "3", 3), ("1210121", "121", 0)],
)
def test_match_is_the_first_occurrence_or_the_haystack_length(matcher, text, pattern, expected):
    assert _run(matcher, text, pattern).outputs == (expected,)


@pytest.mark.parametrize("matcher", MATCHERS)
def test_inputs_are_haystack_then_needle_with_a_membership_mask(matcher):
    trace = _run(matcher, "0123", "23")
    assert trace.inputs == ([0, 0, 0, 0, 1, 1], [0, 1, 2, 3, 2, 3])


def test_naive_frames_show_each_shift_and_each_partial_match():
    # Shift 0: mismatch at once. Shift 1: '0' matches (one more frame), then a mismatch.
    # Shift 2: every character matches; the one completing the needle pushes no frame.
    trace = _run(naive_string_matcher, "1001", "01")
    assert [frame[0] for frame in trace.frames] == [0, 1, 1, 2, 2]
    trace = _run(naive_string_matcher, "10012", "012")
    assert [frame[0] for frame in trace.frames] == [0, 1, 1, 2, 2, 2]
    assert trace.outputs == (2,)


def test_kmp_shift_starts_sliding_once_a_needle_length_has_been_read():
    trace = _run(kmp_matcher, "3330", "0")
    # One frame for the (trivial) prefix function, then one per haystack character.
    assert [frame[0] for frame in trace.frames] == [0, 0, 1, 2, 3]
    assert trace.outputs == (3,)


def test_kmp_falls_back_along_the_failure_links():
    # Prefix function of 0010: 1 start frame + 1 per position, plus 1 fallback at q=2.
    # Scan of 00010: after '00' the third '0' mismatches '1' and falls back once (one
    # extra frame); the window starts sliding at the fifth character and matches there.
    trace = _run(kmp_matcher, "00010", "0010")
    assert [frame[0] for frame in trace.frames] == [0] * 5 + [0, 0, 0, 0, 0, 1]
    assert trace.outputs == (1,)


def test_both_matchers_agree_on_sampled_inputs():
    rng = np.random.RandomState(5)
    for length in (3, 7, 12, 30):
        for _ in range(20):
            haystack, needle = sample_haystack_and_needle(rng, length, "current")
            assert naive_string_matcher(haystack, needle).outputs == (
                kmp_matcher(haystack, needle).outputs
            )


@pytest.mark.parametrize("length", [3, 4, 5, 9, 10, 23, 64])
def test_sampler_embeds_the_needle(length):
    haystack, needle = sample_haystack_and_needle(np.random.RandomState(0), length, "paper")
    assert len(needle) == needle_length(length)
    assert len(haystack) + len(needle) == length
    text, pattern = "".join(map(str, haystack)), "".join(map(str, needle))
    assert pattern in text[:-1]  # never placed at the very end


def test_specs_label_the_trace_s_and_need_three_nodes():
    assert {spec.name for spec in ALGORITHMS} == {"naive_string_matcher", "kmp_matcher"}
    for spec in ALGORITHMS:
        assert spec.hinted_label == "s" and spec.output_label == "match"
        assert spec.min_length == 3
