"""Fitting a request into a local model's context before it is generated."""

from __future__ import annotations

from evalsuite.backends.base import GenerationParams
from evalsuite.backends.context import fit_to_context, over_context
from evalsuite.backends.failures import is_over_context


def test_a_request_that_fits_is_left_as_it_is():
    params = GenerationParams(max_tokens=10, fit_context=True)
    assert fit_to_context(90, params, context=100) is params
    assert fit_to_context(10_000, params, context=None) is params


def test_a_default_max_tokens_is_lowered_to_the_room_the_prompt_leaves():
    params = GenerationParams(max_tokens=81_980, stop=("\n\n",), fit_context=True)
    fitted = fit_to_context(1_500, params, context=4_096)
    assert fitted == GenerationParams(max_tokens=2_596, stop=("\n\n",), fit_context=True)


def test_a_max_tokens_the_user_chose_is_never_lowered():
    assert fit_to_context(91, GenerationParams(max_tokens=10), context=100) is None


def test_a_prompt_that_fills_the_context_cannot_fit_even_a_default():
    params = GenerationParams(max_tokens=50, fit_context=True)
    assert fit_to_context(100, params, context=100) is None
    assert fit_to_context(99, params, context=100).max_tokens == 1


def test_rejections_name_the_numbers_and_read_as_over_context():
    chosen = over_context(91, GenerationParams(max_tokens=10), 100)
    assert chosen.error == "rejected: 91 prompt tokens plus max_tokens 10 exceed the model's context of 100"
    assert chosen.input_tokens == 91 and chosen.text == ""
    default = over_context(120, GenerationParams(max_tokens=10, fit_context=True), 100)
    assert default.error.startswith("rejected: 120 prompt tokens leave no room")
    assert is_over_context(chosen.error) and is_over_context(default.error)
