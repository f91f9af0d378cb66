"""The element-by-element and step-by-step comparison agrees with the scores it explains."""

from __future__ import annotations

import pytest

from evalsuite.clrs import iter_samples
from evalsuite.scoring import Gold, score_clrs
from evalsuite.scoring.explain import explain_clrs


def item(algo: str, length: int, hints: bool = False) -> Gold:
    sample = next(iter_samples([algo], [length], [3], 1, "on" if hints else "off"))
    return Gold.from_texts(sample.question, sample.answer)


def test_the_gold_itself_is_right_everywhere() -> None:
    gold = item("insertion_sort", 6, hints=True)
    explained = explain_clrs(f"{', '.join(gold.frames)} | {gold.answer}", gold)
    assert all(e.right for e in explained.elements) and len(explained.elements) == 6
    assert all(s.right for s in explained.steps) and len(explained.steps) == len(gold.frames) > 2
    assert explained.first_wrong_step is None and explained.columns is None


def test_a_wrong_value_and_a_wrong_frame_are_the_ones_marked() -> None:
    gold = item("insertion_sort", 8, hints=True)
    values = gold.answer.strip("[]").split()
    values[5] = "9" + values[5]
    frames = list(gold.frames)
    frames[1] = "[9" + frames[1][1:]  # its first value changed
    output = f"{', '.join(frames)} | [{' '.join(values)}]"
    explained = explain_clrs(output, gold)
    assert [i for i, e in enumerate(explained.elements) if not e.right] == [5]
    assert explained.elements[5].predicted == values[5]
    score = score_clrs(output, gold)
    assert sum(e.right for e in explained.elements) / len(explained.elements) == score.elementwise
    assert explained.first_wrong_step == score.first_wrong_step == 1
    assert [s.right for s in explained.steps[:2]] == [True, False]


def test_a_matrix_answer_gives_its_row_width() -> None:
    gold = item("floyd_warshall", 4)
    explained = explain_clrs(gold.answer, gold)
    assert explained.columns == 4 and len(explained.elements) == 16


@pytest.mark.parametrize("output", ["", "I cannot tell.", "[1 2"])
def test_no_answer_leaves_every_element_unanswered(output: str) -> None:
    gold = item("insertion_sort", 5)
    explained = explain_clrs(output, gold)
    assert [e.predicted for e in explained.elements] == [None] * 5
    assert not any(e.right for e in explained.elements) and explained.steps == ()


def test_a_short_trace_has_its_missing_steps_marked() -> None:
    gold = item("insertion_sort", 6, hints=True)
    explained = explain_clrs(f"{gold.frames[0]} | {gold.answer}", gold)
    assert explained.steps[0].right and explained.steps[1].predicted is None
    assert explained.first_wrong_step == 1
