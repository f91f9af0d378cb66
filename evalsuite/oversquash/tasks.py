"""The copying and counting tasks of "Transformers need glasses!" (Barbero et al., 2024)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evalsuite.errors import EvalsuiteError

COPY_VARIANTS = ("last", "first", "hint", "interleaved-01", "interleaved-10", "commas")
COPY_PROMPT_TYPES = ("paper", "type1", "type2")
COUNT_TASKS = ("sum", "ones", "random-ones", "car")
COUNT_STYLES = ("answer-only", "zero-shot-cot", "few-shot-cot")
COPY_LENGTHS = tuple(range(100, 501, 50))
COUNT_LENGTHS = tuple(range(5, 196, 10))
ONES_PROBABILITY = 0.7
FEW_SHOT_COUNTS = (7, 12, 18)  # the worked examples of few-shot chain of thought
GROUP = 5


@dataclass(frozen=True)
class SquashItem:
    """One copying or counting question: its sequence and the integer it should answer.

    `family` is copy or count; `variant` the sequence kind (copy: last, first, hint,
    interleaved-01, interleaved-10, commas; count: sum, ones, random-ones, car); `style` the
    copy prompt type (paper, type1, type2) or the counting style (answer-only,
    zero-shot-cot, few-shot-cot); `length` the number of digits (copy) or items (count).
    """

    family: str
    variant: str
    style: str
    length: int
    seed: int
    index: int
    sequence: str
    gold: int

    @property
    def item_id(self) -> str:
        return f"{self.family}/{self.variant}/{self.style}/{self.length}/{self.seed}/{self.index}"


def with_commas(digits: str) -> str:
    """A comma every third digit, counted from the right as in written numbers."""
    head = len(digits) % 3
    groups = ([digits[:head]] if head else []) + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return ",".join(groups)


def copy_sequence(variant: str, length: int) -> tuple[str, str, int]:
    """(sequence, position asked: last or first, the digit to answer) of `length` digits."""
    if variant in ("last", "hint"):
        return "1" * (length - 1) + "0", "last", 0
    if variant == "first":
        return "0" + "1" * (length - 1), "first", 0
    if variant == "commas":
        return with_commas("1" * (length - 1) + "0"), "last", 0
    if variant in ("interleaved-01", "interleaved-10"):
        pair = "01" if variant == "interleaved-01" else "10"
        return pair * ((length - 1) // 2) + "0", "last", 0
    raise EvalsuiteError(f"unknown copy variant {variant!r}; valid: {', '.join(COPY_VARIANTS)}")


def count_sequence(task: str, length: int, rng: np.random.RandomState) -> tuple[str, int]:
    """(sequence, how many) for a counting task with `length` items."""
    if task == "sum":
        return " + ".join(["1"] * length), length
    if task == "ones":
        return " ".join(["1"] * length), length
    if task == "random-ones":
        digits = (rng.random_sample(length) < ONES_PROBABILITY).astype(int)
        return " ".join(map(str, digits)), int(digits.sum())
    if task == "car":
        return " ".join(["car"] * length), length
    raise EvalsuiteError(f"unknown counting task {task!r}; valid: {', '.join(COUNT_TASKS)}")


def worked_count(count: int) -> str:
    """Counting in groups of five: 12 -> (1 + 1 + 1 + 1 + 1) + (1 + 1 + 1 + 1 + 1) + 1 + 1 ..."""
    groups, rest = divmod(count, GROUP)
    parts = ["(" + " + ".join(["1"] * GROUP) + ")"] * groups + ["1"] * rest
    return f"{' + '.join(parts)}\nThe answer is then {groups} * {GROUP} + {rest} = {count}"


def _check(values, valid: tuple[str, ...], option: str) -> None:
    for value in values:
        if value not in valid:
            raise EvalsuiteError(f"{option}: unknown {value!r}; valid: {', '.join(valid)}")


def _check_lengths(lengths, least: int) -> None:
    for length in lengths:
        if length < least:
            raise EvalsuiteError(f"--lengths: {length} is too short (at least {least})")


def copy_items(variants, prompt_types, lengths, samples: int = 1) -> list[SquashItem]:
    """Copying items: every variant × prompt type × length (the sequences are fixed, so
    `samples` repeats them, e.g. to sample at a temperature)."""
    _check(variants, COPY_VARIANTS, "--variants")
    _check(prompt_types, COPY_PROMPT_TYPES, "--prompt-types")
    _check_lengths(lengths, 3)
    items = []
    for variant in variants:
        for prompt_type in prompt_types:
            for length in lengths:
                sequence, _, gold = copy_sequence(variant, length)
                items += [SquashItem("copy", variant, prompt_type, length, 0, i, sequence, gold) for i in range(samples)]
    return items


def count_items(tasks, styles, lengths, samples: int = 1, seed: int = 0) -> list[SquashItem]:
    """Counting items: every task × style × length; random-ones sequences are drawn from
    RandomState(seed) per (length, sample) so they are the same for every style."""
    _check(tasks, COUNT_TASKS, "--tasks")
    _check(styles, COUNT_STYLES, "--styles")
    _check_lengths(lengths, 1)
    items = []
    for task in tasks:
        for style in styles:
            for length in lengths:
                for index in range(samples):
                    rng = np.random.RandomState([seed, length, index])
                    sequence, gold = count_sequence(task, length, rng)
                    items.append(SquashItem("count", task, style, length, seed, index, sequence, gold))
    return items
