"""Prompts for every style × mode, pinned after review; examples, determinism, overrides."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from evalsuite.clrs import iter_samples
from evalsuite.errors import EvalsuiteError
from evalsuite.prompts import ExamplePool, PromptOptions, TemplateSet, render_prompt
from evalsuite.prompts.examples import input_key

PINNED = Path(__file__).parent.parent / "data" / "prompts"
CASES = [
    (algo, style, mode, layout)
    for algo in ("insertion_sort", "binary_search", "topological_sort", "bfs")
    for style, shots in (("zero-shot", 0), ("few-shot", 2), ("trace", 2))
    for mode, layout in (("completion", "single"), ("chat", "single"), ("chat", "multiturn"))
    if not (mode == "completion" and layout == "multiturn")
]


def _item(algo: str, style: str, length: int = 5, seed: int = 0, index: int = 0):
    hints = "on" if style == "trace" else "off"
    return list(iter_samples([algo], [length], [seed], index + 1, hints))[-1]


def _prompt(algo: str, style: str, mode: str, layout: str, **kwargs):
    shots = 0 if style == "zero-shot" else 2
    return render_prompt(_item(algo, style), PromptOptions(style, mode, shots, layout), **kwargs)


@pytest.mark.parametrize(("algo", "style", "mode", "layout"), CASES)
def test_prompt_matches_the_reviewed_rendering(algo: str, style: str, mode: str, layout: str) -> None:
    record = _prompt(algo, style, mode, layout).to_dict()
    pinned = PINNED / f"{algo}-{style}-{mode}-{layout}.json"
    if os.environ.get("EVALSUITE_PIN_PROMPTS"):  # rewrite after reviewing a deliberate change
        pinned.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    assert record == json.loads(pinned.read_text())


def test_completion_prompt_is_clrs_text_as_generated() -> None:
    item = _item("insertion_sort", "few-shot")
    prompt = render_prompt(item, PromptOptions("few-shot", "completion", 2))
    assert prompt.text.endswith(item.question)
    assert prompt.text.count("\n\ninsertion_sort:\n") == 2  # examples end in the dataset's blank line
    assert prompt.stop == ("\n\n",) and prompt.messages is None
    assert prompt.gold_answer == item.answer.strip()


def test_trace_prompt_carries_gold_frames() -> None:
    item = _item("insertion_sort", "trace")
    prompt = render_prompt(item, PromptOptions("trace", "completion", 1))
    frames = item.answer.split(" | ")[0].split("], [")
    assert len(prompt.gold_trace) == len(frames)
    assert prompt.gold_answer == item.answer.split(" | ")[1].strip()
    assert " | " in prompt.text.split(item.question)[0]  # the example shows trace | answer


def test_examples_never_equal_an_evaluated_item() -> None:
    items = list(iter_samples(["segments_intersect"], [4], [0], 30))
    pool = ExamplePool(exclude=[input_key(i.algo_name, i.question) for i in items])
    evaluated = {input_key(i.algo_name, i.question) for i in items}
    for item in items:
        for _, question, _ in pool.examples(item.algo_name, 4, 0, item.index, 3, use_hints=False):
            assert input_key(item.algo_name, question) not in evaluated


def test_examples_are_deterministic_and_differ_between_items() -> None:
    first = ExamplePool().examples("minimum", 6, 0, 0, 3, use_hints=False)
    again = ExamplePool().examples("minimum", 6, 0, 0, 3, use_hints=False)
    second_item = ExamplePool().examples("minimum", 6, 0, 1, 3, use_hints=False)
    assert first == again
    assert {q for _, q, _ in first}.isdisjoint({q for _, q, _ in second_item})


def test_a_pool_without_hints_gives_the_same_examples_and_refuses_traces() -> None:
    with_hints, without = ExamplePool(), ExamplePool(hints=False)
    for algo in ("floyd_warshall", "insertion_sort", "kmp_matcher"):
        for index in (0, 3):
            plain = with_hints.examples(algo, 6, 0, index, 2, use_hints=False)
            assert without.examples(algo, 6, 0, index, 2, use_hints=False) == plain
            traced = with_hints.examples(algo, 6, 0, index, 2, use_hints=True)
            assert [e[0] for e in traced] == [e[0] for e in plain]  # the same examples, with their traces
            assert all("trace" in question for _, question, _ in traced)
    with pytest.raises(ValueError, match="no hints"):
        without.examples("floyd_warshall", 6, 0, 0, 2, use_hints=True)


def test_example_length_can_be_fixed() -> None:
    pool = ExamplePool(example_length=9)
    prompt = render_prompt(_item("minimum", "few-shot"), PromptOptions("few-shot", "completion", 1), pool)
    assert prompt.example_ids[0].startswith("minimum/9/")


def test_user_template_folder_overrides_one_file(tmp_path: Path) -> None:
    (tmp_path / "completion.j2").write_text("Q: {{ question }}")
    templates = TemplateSet(tmp_path)
    custom = _prompt("minimum", "zero-shot", "completion", "single", templates=templates)
    standard = _prompt("minimum", "zero-shot", "completion", "single")
    assert custom.text == "Q: " + standard.text
    assert custom.template_sha256 != standard.template_sha256
    chat = _prompt("minimum", "zero-shot", "chat", "single", templates=templates)
    assert chat.template_sha256 == _prompt("minimum", "zero-shot", "chat", "single").template_sha256


@pytest.mark.parametrize(
    ("template", "message"),
    [("{{ missing }}", "'missing' is undefined"), ("{% if %}", "line 1"), ],
)
def test_broken_templates_are_one_clear_error(tmp_path: Path, template: str, message: str) -> None:
    (tmp_path / "completion.j2").write_text(template)
    with pytest.raises(EvalsuiteError, match=message):
        _prompt("minimum", "zero-shot", "completion", "single", templates=TemplateSet(tmp_path))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (PromptOptions("chain", "completion", 0), "--style must be one of"),
        (PromptOptions("few-shot", "voice", 1), "--mode must be one of"),
        (PromptOptions("few-shot", "completion", -1), "--shots must be 0 or more"),
        (PromptOptions("few-shot", "chat", 1, "tabs"), "--fewshot-layout must be one of"),
        (PromptOptions("trace", "completion", 1), "needs items with hints"),
    ],
)
def test_bad_options_are_one_clear_error(options: PromptOptions, message: str) -> None:
    with pytest.raises(EvalsuiteError, match=message):
        render_prompt(_item("minimum", "few-shot"), options)


def test_missing_override_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EvalsuiteError, match="is not a directory"):
        TemplateSet(tmp_path / "nope")
