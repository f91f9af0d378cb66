"""Prompt pairs for representational collapse: two raw-text prompts that differ only by one
more repetition of the final token, and the tokenizer check that they really do.

The prompts are plain text, not wrapped in the model's chat template: the paper compares the
representations of the sequences themselves, and a template would put its end-of-turn tokens
after the repeated digit, so that the last token would no longer be the repeated one.

The digits follow the question after one space and are written without separators (commas
aside): Gemma and SmolLM split digits one per token, so one more digit is one more token,
whereas `1 1 1` would add two tokens (space and digit) per repetition.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from evalsuite.errors import EvalsuiteError
from evalsuite.oversquash.tasks import with_commas

PAIR_KINDS = ("ones", "digits", "copy", "copy-commas")
COUNT_QUESTION = "How many ones are in the following sequences?"
COPY_QUESTION = "Can you copy the following number?"


class Tokenizer(Protocol):
    """Anything with `encode(text) -> token ids` (a Hugging Face tokenizer adds BOS)."""

    def encode(self, text: str) -> list[int]: ...


@dataclass(frozen=True)
class PromptPair:
    """`short` ends in `n` digits; `long` is `short` with one more copy of its last digit."""

    kind: str
    n: int
    seed: int
    short: str
    long: str


@dataclass(frozen=True)
class CheckedPair:
    """A pair with its token ids; `reason` says why it is refused ('' when it is valid)."""

    pair: PromptPair
    short_ids: tuple[int, ...]
    long_ids: tuple[int, ...]
    reason: str

    @property
    def valid(self) -> bool:
        return not self.reason


def pair_digits(kind: str, n: int, seed: int = 0) -> tuple[str, str]:
    """The digit strings of the shorter and the longer prompt of a pair with `n` digits.

    copy-commas puts the commas where a written number has them: every third digit counted
    from the right of the *longer* sequence, which is then a proper number (`1,111,111`);
    the shorter is that text without its final digit (`1,111,11`). Its last group is then
    never complete, so the longer prompt always adds exactly one `1` after a `1`, at every
    n. Commas at fixed places counted from the left (`111,111` → `111,111,1`) would make
    every pair with n divisible by 3, such as the paper's 6, 51 and 501, add a comma too;
    commas counted from the right of each sequence alone would move every comma.
    """
    if kind in ("ones", "copy"):
        return "1" * n, "1" * (n + 1)
    if kind == "digits":
        # Drawn per (seed, n): the random digits are fixed for a length, whatever else runs.
        rng = np.random.RandomState([seed, n])
        head = "".join(str(digit) for digit in rng.randint(0, 10, size=n - 1))
        return head + "1", head + "11"
    if kind == "copy-commas":
        long = with_commas("1" * (n + 1))
        return long[:-1], long
    raise EvalsuiteError(f"--pairs: unknown {kind!r}; valid: {', '.join(PAIR_KINDS)}")


def make_pair(kind: str, n: int, seed: int = 0) -> PromptPair:
    """The pair of `kind` whose shorter prompt ends in `n` digits (n ≥ 1); `seed` draws the
    random digits of `digits` and is ignored by the other kinds."""
    if n < 1:
        raise EvalsuiteError(f"--lengths: {n} is too short (at least 1)")
    question = COUNT_QUESTION if kind in ("ones", "digits") else COPY_QUESTION
    short, long = pair_digits(kind, n, seed)
    return PromptPair(kind, n, seed, f"{question} {short}", f"{question} {long}")


def token_difference(short_ids: Sequence[int], long_ids: Sequence[int]) -> str:
    """Why two token sequences do not differ by exactly one appended copy of the final
    token, or '' when they do."""
    extra = len(long_ids) - len(short_ids)
    if extra != 1:
        return f"the longer prompt has {extra:+d} tokens, not +1 (does the tokenizer merge digits?)"
    if list(long_ids[:-1]) != list(short_ids):
        return "the shorter prompt's tokens are not a prefix of the longer prompt's"
    if not short_ids or long_ids[-1] != short_ids[-1]:
        return f"the appended token {long_ids[-1]} does not repeat the final token"
    return ""


def check_pair(pair: PromptPair, tokenizer: Tokenizer) -> CheckedPair:
    """Tokenize both prompts and record whether they differ by one repeated final token."""
    short_ids = tuple(tokenizer.encode(pair.short))
    long_ids = tuple(tokenizer.encode(pair.long))
    return CheckedPair(pair, short_ids, long_ids, token_difference(short_ids, long_ids))


def checked_pairs(
    kinds: Iterable[str], lengths: Iterable[int], tokenizer: Tokenizer, seed: int = 0
) -> list[CheckedPair]:
    """Every kind × length pair, checked. Refused pairs stay in the list with their reason;
    a kind none of whose lengths gives a valid pair is an error."""
    kinds, lengths = list(kinds), list(lengths)
    if not kinds or not lengths:
        raise EvalsuiteError("give at least one pair kind and one length")
    checked = [check_pair(make_pair(kind, n, seed), tokenizer) for kind in kinds for n in lengths]
    for kind in kinds:
        of_kind = [item for item in checked if item.pair.kind == kind]
        if not any(item.valid for item in of_kind):
            raise EvalsuiteError(
                f"no valid {kind} pair at lengths {','.join(map(str, lengths))}: "
                f"{of_kind[0].reason}"
            )
    return checked
