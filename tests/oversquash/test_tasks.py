"""Copying and counting tasks: exact prompts, gold answers, phrase scoring, runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalsuite.cli.main import main
from evalsuite.errors import EvalsuiteError
from evalsuite.oversquash.tasks import copy_items, count_items, with_commas, worked_count
from evalsuite.oversquash.units import render_squash
from evalsuite.prompts import TemplateSet
from evalsuite.scoring.phrase import COPY_PHRASE, COUNT_PHRASE, score_phrase

TEMPLATES = TemplateSet()


def _prompt(item) -> str:
    return render_squash(item, TEMPLATES).text


def test_last_digit_prompt_is_the_papers() -> None:
    [item] = copy_items(["last"], ["paper"], [6])
    assert (item.sequence, item.gold) == ("111110", 0)
    assert _prompt(item) == (
        "Consider the following sequence: 111110. What is the last digit in this sequence? "
        "Please answer exactly as 'The answer to your question is: <ANSWER>'"
    )


def test_first_digit_hint_and_prompt_types() -> None:
    [first] = copy_items(["first"], ["paper"], [5])
    assert first.sequence == "01111" and "What is the first digit in this sequence?" in _prompt(first)
    [hint] = copy_items(["hint"], ["paper"], [5])
    assert "this sequence? *Hint* It's not necessarily a 1, check carefully. Please answer" in _prompt(hint)
    [type1] = copy_items(["last"], ["type1"], [5])
    assert _prompt(type1) == (
        "What is the last digit of the following sequence? Please answer exactly as "
        "'The answer to your question is: <ANSWER>' . Here is the sequence: 11110"
    )
    [type2] = copy_items(["last"], ["type2"], [5])
    assert _prompt(type2) == (
        "Please answer exactly as 'The answer to your question is: <ANSWER>'. "
        "What is the last digit of the following sequence? 11110"
    )


def test_interleaved_and_comma_sequences() -> None:
    items = {i.variant: i for i in copy_items(["interleaved-01", "interleaved-10", "commas"], ["paper"], [7])}
    assert items["interleaved-01"].sequence == "0101010"
    assert items["interleaved-10"].sequence == "1010100"
    assert items["commas"].sequence == "1,111,110"
    assert with_commas("123456") == "123,456" and with_commas("1234") == "1,234"


def test_counting_prompts_and_golds() -> None:
    items = {i.variant: i for i in count_items(["sum", "ones", "car", "random-ones"], ["answer-only"], [5])}
    tail = ("Please give the answer on the final line exactly as 'The final answer to your maths question "
            "is: xxxx', where 'xxxx' is your answer.")
    assert _prompt(items["sum"]) == f"Please perform the following sum: 1 + 1 + 1 + 1 + 1. {tail}"
    assert _prompt(items["ones"]) == f"Please count the number of ones in the following sequence: 1 1 1 1 1. {tail}"
    assert _prompt(items["car"]) == (
        f"Please count the number of times 'car' appears in the following sentence: 'car car car car car'. {tail}")
    random = items["random-ones"]
    assert random.gold == random.sequence.split().count("1")


def test_random_ones_are_seeded_and_about_seventy_percent() -> None:
    first = count_items(["random-ones"], ["answer-only"], [195], samples=20, seed=3)
    again = count_items(["random-ones"], ["answer-only"], [195], samples=20, seed=3)
    assert [i.sequence for i in first] == [i.sequence for i in again]
    share = sum(i.gold for i in first) / (195 * 20)
    assert 0.65 < share < 0.75


def test_few_shot_chain_of_thought_counts_in_groups_of_five() -> None:
    assert worked_count(12) == ("(1 + 1 + 1 + 1 + 1) + (1 + 1 + 1 + 1 + 1) + 1 + 1\n"
                                "The answer is then 2 * 5 + 2 = 12")
    [item] = count_items(["ones"], ["few-shot-cot"], [25])
    text = _prompt(item)
    assert text.startswith("Let's think step by step, showing me your reasoning. Here are a few examples:")
    assert text.count("The final answer to your maths question is: ") == 3 + 1
    [cot] = count_items(["ones"], ["zero-shot-cot"], [25])
    assert "step by step" in _prompt(cot)


@pytest.mark.parametrize(
    ("output", "strict", "flexible", "error"),
    [
        ("The answer to your question is: 0", True, True, 0.0),
        ("The answer to your question is: **0**.", True, True, 0.0),
        ("It is 1. The answer to your question is: 1", False, False, 1.0),
        ("I believe the last digit is 0", False, True, 0.0),
    ],
)
def test_copy_phrase_scoring(output: str, strict: bool, flexible: bool, error: float) -> None:
    score = score_phrase(output, 0, COPY_PHRASE)
    assert (score.exact_strict, score.exact_flexible, score.abs_error) == (strict, flexible, error)


def test_count_phrase_scoring_and_failures() -> None:
    score = score_phrase("(1+1+1+1+1) ... = 100\nThe final answer to your maths question is: 100", 95, COUNT_PHRASE)
    assert score.strict_answer == "100" and score.abs_error == 5.0 and not score.exact_strict
    assert score_phrase("", 3, COUNT_PHRASE).failure == "empty"
    assert score_phrase("no idea", 3, COUNT_PHRASE).failure == "no_answer"
    assert score_phrase("one two", 3, COUNT_PHRASE, finish_reason="length").failure == "truncated"


def test_bad_task_names_are_one_clear_error() -> None:
    with pytest.raises(EvalsuiteError, match="--variants: unknown 'middle'"):
        copy_items(["middle"], ["paper"], [10])
    with pytest.raises(EvalsuiteError, match="--styles: unknown 'cot'"):
        count_items(["ones"], ["cot"], [10])


def test_copy_run_through_the_run_machinery(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert main(["oversquash", "copy", "--model", "dummy/oracle", "--lengths", "10,20", "--variants", "last,commas",
                 "--no-cache", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and all(r["exact_strict"] and r["task"] == "copy" for r in rows)
    assert json.loads((out / "manifest.json").read_text())["config"]["extra"]["oversquash"]["family"] == "copy"
    plot = tmp_path / "plot.png"
    assert main(["report", str(out), "--by", "variant,length", "--plot", str(plot)]) == 0
    assert (tmp_path / "plot-copy.png").is_file()


def test_count_run_records_abs_error_and_predictions(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert main(["oversquash", "count", "--model", "dummy/oracle", "--lengths", "5,15", "--tasks", "ones,car",
                 "--styles", "answer-only,few-shot-cot", "--no-cache", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == 8 and all(r["abs_error"] == 0.0 and r["predicted"] == r["gold"] for r in rows)
    assert main(["report", str(out), "--by", "variant", "--metric", "abs_error", "--plot", str(tmp_path / "p.png")]) == 0
    assert (tmp_path / "p-counts.png").is_file()
