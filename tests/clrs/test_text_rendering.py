"""CLRS-Text rendering rules that the reference files exercise only by chance."""

from __future__ import annotations

from evalsuite.clrs.render import format_value, render
from evalsuite.clrs.spec import AlgorithmSpec, Field, Kind, Trace


def _spec(**kwargs) -> AlgorithmSpec:
    values = dict(name="toy", chapter="test", inputs=(Field("key", Kind.FLOATS),),
                  outputs=(Field("pred", Kind.FLOATS),), hints=(Field("pred", Kind.FLOATS),),
                  sample=lambda rng, length, flavor: [], run=lambda: None)
    values.update(kwargs)
    return AlgorithmSpec(**values)


def test_numbers_in_each_flavour() -> None:
    assert format_value(Kind.FLOATS, [0.548, 0.0, -0.0, 0.0976], "current") == "[0.548 0.0 -0.0 0.0976]"
    assert format_value(Kind.FLOATS, [0.5489, 0.0, 0.09761], "paper") == "[0.549 0 0.0976]"
    assert format_value(Kind.INT_MATRIX, [[0, -1], [1, 0]], "paper") == "[[0 -1], [1 0]]"
    assert format_value(Kind.FLOAT, 0.6457, "paper") == "0.646"
    assert format_value(Kind.FLOAT, 0.645, "current") == "0.645"
    assert format_value(Kind.INDEX, 3, "paper") == "3"


def test_zero_and_negative_zero_stay_distinct_in_one_trace() -> None:
    trace = Trace(inputs=([0.0, -0.0, 0.0],), outputs=([-0.0, 0.0, 0.0],), frames=(([0.0, -0.0, 0.0],),))
    question, answer = render(_spec(), trace, False, "current")
    assert question == "toy:\nkey: [0.0 -0.0 0.0]\npred:\n" and answer == "[-0.0 0.0 0.0]\n\n"


def test_hinted_layout_with_an_empty_trace_and_parentheses() -> None:
    trace = Trace(inputs=([0.2, 0.1],), outputs=([0.1, 0.2],), frames=(([0.2, 0.1],), ([0.1, 0.2],)))
    question, answer = render(_spec(), trace, True, "current")
    assert question == "toy:\nkey: [0.2 0.1], initial_trace: [0.2 0.1]\ntrace | pred:\n"
    assert answer == " | [0.1 0.2]\n\n"
    pairs = _spec(hints=(Field("low", Kind.INDEX), Field("high", Kind.INDEX)), trace_label="low, high",
                  parenthesised=True, answer_from_trace=True)
    trace = Trace(inputs=([0.2, 0.1],), outputs=([0.1, 0.2],), frames=((0, 1), (1, 1), (1, 1)))
    question, answer = render(pairs, trace, True, "current")
    assert question.endswith("initial_trace: (0, 1)\ntrace | (low, high):\n")
    assert answer == "(1, 1) | (1, 1)\n\n"
