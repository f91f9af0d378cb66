"""Prompt pairs for the collapse measurement, and the tokenizer check that refuses pairs
which do not differ by exactly one repeated final token (no torch: stub tokenizers)."""

from __future__ import annotations

import re

import pytest

from evalsuite.errors import EvalsuiteError
from evalsuite.oversquash.collapse import distances
from evalsuite.oversquash.pairs import (
    PAIR_KINDS,
    check_pair,
    checked_pairs,
    make_pair,
    token_difference,
)

BOS = 2


class CharTokenizer:
    """One token per character after a BOS, like Gemma on digits."""

    def encode(self, text: str) -> list[int]:
        return [BOS] + [ord(char) for char in text]


class MergingTokenizer:
    """Runs of up to three digits become one token, like tokenizers with number chunks."""

    def encode(self, text: str) -> list[int]:
        return [BOS] + [hash(piece) % 10_000 for piece in re.findall(r"\d{1,3}|\D", text)]


class FourOnesTokenizer:
    """One token per character, except that `1111` is one token."""

    def encode(self, text: str) -> list[int]:
        return [BOS] + [hash(piece) % 10_000 for piece in re.findall(r"1111|.", text)]


# ---- the prompts --------------------------------------------------------------------------


def test_ones_pair_adds_one_digit_after_the_counting_question():
    pair = make_pair("ones", 3)
    assert pair.short == "How many ones are in the following sequences? 111"
    assert pair.long == "How many ones are in the following sequences? 1111"


def test_copy_pair_uses_the_copy_question():
    pair = make_pair("copy", 1)
    assert (pair.short, pair.long) == (
        "Can you copy the following number? 1",
        "Can you copy the following number? 11",
    )


def test_digits_pair_is_random_digits_ending_in_1_then_11():
    pair = make_pair("digits", 12, seed=3)
    digits = pair.short.rsplit(" ", 1)[1]
    assert pair.short.startswith("How many ones are in the following sequences? ")
    assert len(digits) == 12 and digits.isdigit() and digits.endswith("1")
    assert pair.long == pair.short + "1"
    assert len(set(digits)) > 2  # really random, not ones


def test_digits_pair_is_seeded():
    assert make_pair("digits", 30, seed=1) == make_pair("digits", 30, seed=1)
    assert make_pair("digits", 30, seed=1).short != make_pair("digits", 30, seed=2).short


def test_commas_make_the_longer_prompt_a_written_number():
    pairs = {n: make_pair("copy-commas", n) for n in (1, 2, 3, 5, 6)}
    tails = {n: (p.short.rsplit(" ", 1)[1], p.long.rsplit(" ", 1)[1]) for n, p in pairs.items()}
    assert tails == {
        1: ("1", "11"),
        2: ("11", "111"),
        3: ("1,11", "1,111"),
        5: ("111,11", "111,111"),
        6: ("1,111,11", "1,111,111"),
    }


@pytest.mark.parametrize("kind", PAIR_KINDS)
def test_every_kind_appends_exactly_one_final_one(kind):
    for n in range(1, 40):
        pair = make_pair(kind, n)
        assert pair.long == pair.short + "1" and pair.short.endswith("1")


def test_unknown_kind_and_empty_length_are_errors():
    with pytest.raises(EvalsuiteError, match="unknown 'twos'; valid: ones, digits"):
        make_pair("twos", 3)
    with pytest.raises(EvalsuiteError, match="--lengths: 0 is too short"):
        make_pair("ones", 0)


# ---- the tokenizer check ------------------------------------------------------------------


@pytest.mark.parametrize("kind", PAIR_KINDS)
def test_digit_per_token_tokenizer_accepts_every_length(kind):
    for n in (1, 2, 3, 6, 11, 51, 101):
        checked = check_pair(make_pair(kind, n), CharTokenizer())
        assert checked.valid, (n, checked.reason)
        assert checked.long_ids == checked.short_ids + (ord("1"),)


def test_tokenizer_that_merges_digits_is_refused_with_a_reason():
    merging = MergingTokenizer()
    grows_a_token = check_pair(make_pair("ones", 2), merging)  # "11" -> "111": same count
    assert not grows_a_token.valid
    assert "has +0 tokens, not +1" in grows_a_token.reason
    new_chunk = check_pair(make_pair("ones", 3), merging)  # "111" -> "111" "1"
    assert not new_chunk.valid
    assert "does not repeat the final token" in new_chunk.reason


def test_token_difference_names_each_failure():
    assert token_difference([2, 5, 7], [2, 5, 7, 7]) == ""
    assert "not a prefix" in token_difference([2, 5, 7], [2, 6, 7, 7])
    assert "does not repeat" in token_difference([2, 5, 7], [2, 5, 7, 8])
    assert "+2 tokens" in token_difference([2, 7], [2, 7, 7, 7])


def test_refused_pairs_are_kept_with_their_reason():
    checked = checked_pairs(["ones"], [1, 2, 3, 4, 5], FourOnesTokenizer())
    assert [item.pair.n for item in checked] == [1, 2, 3, 4, 5]
    assert [item.valid for item in checked] == [True, True, False, False, True]
    assert all(item.reason for item in checked if not item.valid)


def test_a_length_list_without_any_valid_pair_is_one_clear_error():
    with pytest.raises(EvalsuiteError, match=r"^no valid ones pair at lengths 2,3: .*\+0 tokens"):
        checked_pairs(["ones"], [2, 3], MergingTokenizer())


# ---- the distances ------------------------------------------------------------------------


def test_distances_linf_l2_and_relative():
    gap = distances([1.0, -4.0, 0.0], [1.0, -1.0, 4.0])
    assert gap.linf == 4.0
    assert gap.l2 == 5.0
    assert gap.relative == 1.0  # 4 / max(4, 4)


def test_identical_states_are_zero_apart():
    gap = distances([0.5, -2.0], [0.5, -2.0])
    assert (gap.linf, gap.l2, gap.relative) == (0.0, 0.0, 0.0)
