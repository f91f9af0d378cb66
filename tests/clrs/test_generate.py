"""The Python API: lazy typed records, determinism, presets and bad input."""

from __future__ import annotations

import itertools
import types

import pytest

from evalsuite.clrs import ALGORITHMS, Sample, iter_samples
from evalsuite.clrs.generate import plan_groups
from evalsuite.clrs.splits import PRESETS, largest_train_length
from evalsuite.errors import EvalsuiteError


def test_thirty_algorithms_are_registered() -> None:
    assert len(ALGORITHMS) == 30


def test_samples_are_typed_records_with_text() -> None:
    sample = next(iter_samples(["insertion_sort"], [5], [0], 1))
    assert isinstance(sample, Sample)
    assert (sample.algo_name, sample.length, sample.seed, sample.index) == ("insertion_sort", 5, 0, 0)
    assert sample.flavor == "current" and sample.use_hints is False
    assert sample.text == sample.question + sample.answer
    assert sample.to_dict()["text"] == sample.text
    assert sample.question.startswith("insertion_sort:\nkey: [") and sample.answer.endswith("\n\n")


def test_iteration_is_lazy() -> None:
    stream = iter_samples(["insertion_sort"], [8], [0], 10**9)
    assert isinstance(stream, types.GeneratorType)
    assert len(list(itertools.islice(stream, 3))) == 3


def test_same_arguments_give_the_same_samples() -> None:
    first = list(iter_samples(["bfs", "minimum"], [6, 7], [1, 2], 3, "both"))
    second = list(iter_samples(["bfs", "minimum"], [6, 7], [1, 2], 3, "both"))
    assert first == second


def test_hinted_and_plain_texts_come_from_the_same_sample() -> None:
    plain, hinted = list(iter_samples(["insertion_sort"], [6], [4], 1, "both"))
    algorithm_and_inputs = plain.question.rsplit("\n", 2)[0]
    assert hinted.question.startswith(algorithm_and_inputs + ", initial_trace: ")
    assert hinted.answer.endswith(" | " + plain.answer)


def test_order_is_algorithm_length_seed_index() -> None:
    keys = [(s.algo_name, s.length, s.seed, s.index) for s in iter_samples(["minimum", "bfs"], [4, 5], [0, 1], 2)]
    assert keys[:3] == [("minimum", 4, 0, 0), ("minimum", 4, 0, 1), ("minimum", 4, 1, 0)]
    assert keys[8][0] == "bfs"


def test_flavours_differ_only_in_numbers() -> None:
    current = next(iter_samples(["insertion_sort"], [5], [0], 1, flavor="current"))
    paper = next(iter_samples(["insertion_sort"], [5], [0], 1, flavor="paper"))
    assert current.question != paper.question
    assert current.question.count(" ") == paper.question.count(" ")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"algorithms": ["insertion_srt"]}, "did you mean insertion_sort"),
        ({"samples": -1}, "--samples must be 0 or more"),
        ({"lengths": [0]}, "too short for insertion_sort"),
        ({"hints": "maybe"}, "--hints must be one of"),
        ({"flavor": "new"}, "--flavor must be one of"),
        ({"seeds": [2**32]}, "seeds must be between"),
    ],
)
def test_bad_input_is_one_clear_error(kwargs: dict, message: str) -> None:
    arguments = {"algorithms": ["insertion_sort"], "lengths": [4], "seeds": [0], "samples": 1}
    arguments.update(kwargs)
    with pytest.raises(EvalsuiteError, match=message):
        plan_groups(**arguments)


def test_presets_follow_the_paper() -> None:
    val = PRESETS["paper-val"]
    assert val.seeds == (3, 14, 35, 81, 94) and val.samples == 125
    assert val.lengths["bridges"] == (4, 5, 6, 7)
    assert val.lengths["binary_search"] == tuple(range(4, 65))
    train = PRESETS["paper-train"]
    assert train.seeds == (0,) and train.samples == 10_000
    assert train.lengths["bridges"] == (4, 5)
    assert train.lengths["dijkstra"] == (4, 5, 10, 11, 12, 15, 19, 23, 28)
    assert set(val.lengths) == set(train.lengths) == set(ALGORITHMS)
    assert largest_train_length("jarvis_march") == 12
