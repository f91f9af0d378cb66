"""Extraction and scores for every algorithm's answer shape, in completion and chat replies."""

from __future__ import annotations

import re

import pytest

from evalsuite.clrs import ALGORITHMS, iter_samples
from evalsuite.scoring import Gold, score_clrs
from evalsuite.scoring.shape import parse_exact


def _item(algo: str, hints: bool, length: int = 6):
    return next(iter_samples([algo], [length], [2], 1, "on" if hints else "off"))


def _with_commas(answer: str) -> str:
    """The same values written the way a chat model often writes them: [1, 2, 3]."""
    return re.sub(r"(?<=[\d\]]) (?=[-\d\[])", ", ", answer)


@pytest.mark.parametrize("hints", [False, True], ids=["plain", "trace"])
@pytest.mark.parametrize("algo", sorted(ALGORITHMS))
def test_gold_output_scores_one_in_completion_mode(algo: str, hints: bool) -> None:
    item = _item(algo, hints)
    gold = Gold.from_texts(item.question, item.answer)
    assert parse_exact(gold.answer) is not None
    score = score_clrs(item.answer + item.question, gold, "completion")  # runs on into a new item
    assert (score.exact_strict, score.exact_flexible, score.elementwise, score.parsed) == (True, True, 1.0, True)
    if hints and ALGORITHMS[algo].hints:
        assert score.trace_prefix == 1.0 and score.first_wrong_step is None
    else:
        assert score.trace_prefix is None


@pytest.mark.parametrize("algo", sorted(ALGORITHMS))
def test_chatty_fenced_reply_is_found_by_flexible_only(algo: str) -> None:
    item = _item(algo, False)
    gold = Gold.from_texts(item.question, item.answer)
    reply = (f"<think>Maybe {gold.answer}9?</think>Let me work through it.\n\n"
             f"The final answer is:\n```text\n{_with_commas(gold.answer)}\n```\nHope this helps!")
    score = score_clrs(reply, gold, "chat")
    assert not score.exact_strict
    assert score.exact_flexible and score.parsed and score.elementwise == 1.0
    assert score.flexible_answer == gold.answer


@pytest.mark.parametrize("algo", sorted(ALGORITHMS))
def test_labelled_line_wins_over_later_numbers(algo: str) -> None:
    item = _item(algo, False)
    gold = Gold.from_texts(item.question, item.answer)
    reply = f"{gold.label}: {gold.answer}\nI checked step 7 of 12 twice and 0 errors remained."
    assert score_clrs(reply, gold, "chat").exact_flexible


def test_elementwise_counts_right_values() -> None:
    gold = Gold.from_texts("bfs:\ns: 0, A: [[1 1], [1 1]]\npi:\n", "[0 0 1 2]\n\n")
    score = score_clrs("[0 0 1 3]", gold, "completion")
    assert score.elementwise == 0.75 and not score.exact_strict and score.parsed


def test_wrong_shape_is_a_parse_failure_with_elementwise_zero() -> None:
    gold = Gold.from_texts("bfs:\ns: 0, A: [[1 1], [1 1]]\npi:\n", "[0 0 1 2]\n\n")
    score = score_clrs("[0 0 1]", gold, "completion")
    assert (score.parsed, score.elementwise, score.failure) == (False, 0.0, "no_answer")


def test_trace_prefix_counts_frames_before_the_first_wrong_one() -> None:
    question = "insertion_sort:\nkey: [3 1 2], initial_trace: [3 1 2]\ntrace | pred:\n"
    gold = Gold.from_texts(question, "[1 3 2], [1 2 3], [1 2 3] | [1 2 3]\n\n")
    score = score_clrs("[1 3 2], [1 2 3], [3 2 1] | [1 2 3]", gold, "completion")
    assert score.trace_prefix == pytest.approx(2 / 3) and score.first_wrong_step == 2
    assert score.exact_strict
    truncated = score_clrs("[1 3 2], [1 2", gold, "completion", finish_reason="length")
    assert truncated.trace_prefix == pytest.approx(1 / 3) and truncated.failure == "truncated"


def test_pair_frames_of_binary_search() -> None:
    question = "binary_search:\nkey: [0.1 0.2 0.3], target: 0.25, initial_trace: (0, 2)\ntrace | (low, high):\n"
    gold = Gold.from_texts(question, "(2, 2) | (2, 2)\n\n")
    assert gold.frames == ("(2, 2)",)
    score = score_clrs("(2, 2) | (2, 2)", gold, "completion")
    assert score.exact_strict and score.trace_prefix == 1.0


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   \n\n",
        "".join(chr(c) for c in range(0x2600, 0x2700)) * 20,
        "[" * 5000 + "1 2" + ")" * 3000,
        "nan NaN inf -inf [nan nan nan nan nan nan]",
        "0123456789 " * 100_000,  # about a megabyte
        "\x00\x01\ufffd [[[ ]]] (,,,)",
    ],
)
def test_garbage_is_a_parse_failure_never_a_crash(garbage: str) -> None:
    gold = Gold.from_texts("bfs:\ns: 0, A: [[1 1], [1 1]]\npi:\n", "[0 0 1 2]\n\n")
    score = score_clrs(garbage, gold, "chat")
    assert not score.exact_flexible and not score.parsed
    assert score.failure in {"empty", "no_answer"}
