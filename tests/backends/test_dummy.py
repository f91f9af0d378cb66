"""dummy/oracle and dummy/random: the ceiling and the floor, with no model."""

from __future__ import annotations

import re

from harness import run

from evalsuite.backends import load_backend
from evalsuite.backends.base import GenerationParams, Request


def item(gold: str, prompt: str = "bubble_sort:\nkey: [0.715 0.544 0.602 0.548]\n") -> Request:
    return Request(text=prompt, messages=None, gold=gold, params=GenerationParams())


def test_the_oracle_answers_the_gold_answer():
    [completion] = run(load_backend("dummy/oracle"), [item("[0.544 0.548 0.602 0.715]")])
    assert completion.text == "[0.544 0.548 0.602 0.715]"
    assert completion.error is None and completion.cost_usd == 0.0


def test_random_answers_have_the_gold_shape_and_are_reproducible():
    golds = ["[0.544 0.548 0.602 0.715]", "[[0 -1 -1], [-1 0 1], [-1 1 0]]", "3", "[1 1 0 0]"]
    requests = [item(gold) for gold in golds]
    first = run(load_backend("dummy/random"), requests)
    second = run(load_backend("dummy/random"), requests)
    assert [c.text for c in first] == [c.text for c in second]
    for gold, completion in zip(golds, first):
        assert re.sub(r"[-\d.]+", "N", completion.text) == re.sub(r"[-\d.]+", "N", gold)
    assert set(re.findall(r"\d+", first[3].text)) <= {"0", "1"}


def test_random_answers_differ_between_items():
    requests = [item("[0.544 0.548 0.602 0.715]", prompt=f"item {i}") for i in range(5)]
    assert len({c.text for c in run(load_backend("dummy/random"), requests)}) == 5


def test_an_answer_without_numbers_has_its_words_shuffled():
    [completion] = run(load_backend("dummy/random"), [item("a b c d e f g h")])
    assert sorted(completion.text.split()) == list("abcdefgh")


def test_without_a_gold_answer_the_dummies_record_an_error():
    [completion] = run(load_backend("dummy/oracle"), [Request(text="q", messages=None)])
    assert completion.error.startswith("rejected")
