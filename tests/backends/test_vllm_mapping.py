"""The vLLM adapter's request and response mapping, without vLLM or a GPU.

The fakes carry the attribute names of vLLM's RequestOutput and CompletionOutput.
"""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from evalsuite.backends import BackendOptions, EngineOptions, VLLMOptions, load_backend
from evalsuite.backends.base import Completion, GenerationParams, Request
from evalsuite.backends.vllm import (
    to_completion,
    to_prompt,
    to_sampling_kwargs,
    too_long,
)
from evalsuite.errors import EvalsuiteError
from evalsuite.prompts.record import Message


class FakeTokenizer:
    """Ids are character codes; BOS (1) is added unless asked not to."""

    chat_template = "{{ messages }}"

    def __call__(self, text: str, add_special_tokens: bool = True) -> dict:
        return {"input_ids": ([1] if add_special_tokens else []) + [ord(c) for c in text]}

    def apply_chat_template(self, turns, tokenize, add_generation_prompt):
        assert tokenize is False and add_generation_prompt is True
        return "".join(f"<{turn['role']}>{turn['content']}" for turn in turns) + "<model>"


def request_output(text="[1 2 3]", token_ids=(5, 6, 7), finish_reason="stop",
                   prompt_token_ids=(1, 2, 3, 4), request_id="17"):
    choice = SimpleNamespace(index=0, text=text, token_ids=list(token_ids),
                             cumulative_logprob=None, logprobs=None,
                             finish_reason=finish_reason, stop_reason=None)
    return SimpleNamespace(request_id=request_id, prompt=None, prompt_token_ids=prompt_token_ids,
                           outputs=[choice], finished=True)


def test_sampling_kwargs_carry_every_generation_parameter():
    params = GenerationParams(max_tokens=64, temperature=0.7, stop=("\n\n", "Q:"), seed=3)
    assert to_sampling_kwargs(params) == {
        "max_tokens": 64, "temperature": 0.7, "stop": ["\n\n", "Q:"], "seed": 3,
    }


def test_greedy_without_seed_sends_temperature_zero_and_no_seed():
    assert to_sampling_kwargs(GenerationParams(max_tokens=8)) == {
        "max_tokens": 8, "temperature": 0.0, "stop": [],
    }


def test_completion_prompt_is_the_text_tokenized_with_special_tokens():
    request = Request(text="ab", messages=None)
    assert to_prompt(request, FakeTokenizer()) == {"prompt_token_ids": [1, 97, 98]}


def test_chat_prompt_goes_through_the_template_without_a_second_bos():
    request = Request(text=None, messages=(Message("user", "hi"),))
    expected = [ord(c) for c in "<user>hi<model>"]
    assert to_prompt(request, FakeTokenizer()) == {"prompt_token_ids": expected}


def test_chat_without_a_template_is_one_clear_error():
    tokenizer = FakeTokenizer()
    tokenizer.chat_template = None
    request = Request(text=None, messages=(Message("user", "hi"),))
    with pytest.raises(EvalsuiteError, match="vllm/m has no chat template"):
        to_prompt(request, tokenizer, "vllm/m")


def test_request_output_maps_to_a_completion():
    completion = to_completion(request_output(), latency_s=1.5)
    assert completion == Completion(
        text="[1 2 3]", finish_reason="stop", input_tokens=4, output_tokens=3,
        latency_s=1.5, request_id="17",
    )


def test_length_finish_is_kept_and_is_no_error():
    completion = to_completion(request_output(finish_reason="length"), latency_s=0.1)
    assert completion.finish_reason == "length" and completion.error is None


def test_aborted_request_becomes_that_samples_error():
    completion = to_completion(request_output(finish_reason="abort"), latency_s=0.1)
    assert completion.error == "vLLM ended the request: abort"


def test_missing_prompt_token_ids_leave_input_tokens_unknown():
    completion = to_completion(request_output(prompt_token_ids=None), latency_s=0.1)
    assert completion.input_tokens is None


def test_prompt_longer_than_the_context_is_rejected_alone():
    params = GenerationParams(max_tokens=10)
    assert too_long(90, params, context=100) is None
    assert too_long(91, params, context=None) is None
    rejection = too_long(91, params, context=100)
    assert rejection.error.startswith("rejected: 91 prompt tokens plus max_tokens 10")
    assert rejection.input_tokens == 91


def test_missing_vllm_is_one_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", None)  # makes `import vllm` fail
    with pytest.raises(EvalsuiteError, match=r"pip install 'evalsuite\[vllm\]'"):
        load_backend("vllm/some/model", BackendOptions(cache=None))


def test_unknown_dtype_is_refused_before_vllm_is_needed():
    with pytest.raises(EvalsuiteError, match="unknown --dtype 'float8'"):
        load_backend("vllm/m", BackendOptions(cache=None, engines=EngineOptions(vllm=VLLMOptions(dtype="float8"))))


def test_messages_the_template_refuses_are_one_clear_error():
    import jinja2

    tokenizer = FakeTokenizer()

    def refuse(*args, **kwargs):
        raise jinja2.TemplateError("Conversation roles must alternate")

    tokenizer.apply_chat_template = refuse
    request = Request(text=None, messages=(Message("user", "a"), Message("user", "b")))
    with pytest.raises(EvalsuiteError, match="vllm/m's chat template refused the messages: Conv"):
        to_prompt(request, tokenizer, "vllm/m")
