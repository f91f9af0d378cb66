"""The vllm/ backend on vLLM's CPU build, generating for real with the embedded model.

One engine serves the whole module (loading it is most of the time); every property is read
from what the engine itself produced, not from numbers written down here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence

import pytest

from evalsuite.backends.base import Completion, GenerationParams, Request
from evalsuite.backends.options import VLLMOptions
from evalsuite.backends.vllm import VLLMBackend
from evalsuite.errors import EvalsuiteError
from evalsuite.prompts.record import Message

pytestmark = pytest.mark.vllm

CONTEXT = 512
PROMPT = "Sort the list: 5 3 9 1 7. Sorted list:"


# float32: vLLM's bf16 kernels make a greedy answer depend on the batch it shared.
@pytest.fixture(scope="module")
def engine() -> Iterator[VLLMBackend]:
    backend = VLLMBackend("gemma-3-270m", VLLMOptions(device="cpu", dtype="float32",
                                                      max_model_len=CONTEXT, kv_cache_gib=0.5))
    yield backend
    asyncio.run(backend.aclose())


def complete(engine: VLLMBackend, requests: Sequence[Request]) -> list[Completion]:
    async def collect() -> list[Completion]:
        answers: list[Completion | None] = [None] * len(requests)
        async for position, completion in engine.stream(requests):
            answers[position] = completion
        return answers  # type: ignore[return-value]

    return asyncio.run(collect())


def text(prompt: str = PROMPT, **params: object) -> Request:
    return Request(prompt, None, GenerationParams(**params))


def test_the_engine_runs_on_the_cpu_build_with_the_asked_context(engine):
    assert engine.device == "cpu" and engine.context == CONTEXT


def test_greedy_answers_are_the_same_alone_and_in_a_batch(engine):
    request = text(max_tokens=24)
    alone = complete(engine, [request])[0]
    batch = complete(engine, [text("Count to ten: 1 2", max_tokens=24), request, request])
    assert alone.error is None and alone.text
    assert batch[1].text == batch[2].text == alone.text


def test_max_tokens_bounds_the_answer_and_says_length(engine):
    [answer] = complete(engine, [text(max_tokens=5)])
    assert answer.output_tokens == 5 and answer.finish_reason == "length"


def test_token_counts_are_the_prompts_tokens_and_the_generated_ones(engine):
    [answer] = complete(engine, [text(max_tokens=7)])
    assert answer.input_tokens == len(engine.tokenizer(PROMPT)["input_ids"])
    assert answer.output_tokens == 7


def test_a_stop_string_cuts_the_text_before_it_and_says_stop(engine):
    [free] = complete(engine, [text(max_tokens=24)])
    words = free.text.split()
    assert len(words) >= 3, free.text
    stop = " " + words[2]
    cut = free.text[: free.text.index(stop)]
    [stopped] = complete(engine, [text(max_tokens=24, stop=(stop,))])
    assert stopped.text == cut
    assert stopped.finish_reason == "stop"
    assert stopped.output_tokens < free.output_tokens


def test_the_same_seed_samples_the_same_answer_and_other_seeds_differ(engine):
    requests = [text(max_tokens=16, temperature=1.0, seed=seed) for seed in (7, 7, 8, 9, 10)]
    answers = [answer.text for answer in complete(engine, requests)]
    assert answers[0] == answers[1]
    assert len(set(answers)) > 1


def test_chat_goes_through_the_models_template(engine):
    messages = (Message("user", "Sort the list: 5 3 9 1 7."),)
    rendered = engine.tokenizer.apply_chat_template(
        [{"role": "user", "content": messages[0].content}], tokenize=False, add_generation_prompt=True)
    assert rendered.startswith("<bos><start_of_turn>user\n")
    chat = Request(None, messages, GenerationParams(max_tokens=16))
    # The same text as a completion prompt (the tokenizer adds the <bos> itself).
    same = text(rendered.removeprefix("<bos>"), max_tokens=16)
    [by_chat, by_text] = complete(engine, [chat, same])
    assert by_chat.input_tokens == by_text.input_tokens
    assert by_chat.text == by_text.text


def test_an_over_long_prompt_is_that_samples_error_and_the_rest_run(engine):
    long = text("one two three " * 400, max_tokens=8)
    [rejected, fine] = complete(engine, [long, text(max_tokens=4)])
    assert rejected.error.startswith("rejected: ") and f"context of {CONTEXT}" in rejected.error
    assert rejected.input_tokens > CONTEXT and rejected.text == ""
    assert fine.error is None and fine.output_tokens == 4


def test_a_default_max_tokens_is_fitted_to_the_context_a_chosen_one_is_not(engine):
    prompt = "one two three " * 120
    prompt_tokens = len(engine.tokenizer(prompt)["input_ids"])
    room = CONTEXT - prompt_tokens
    assert 0 < room < 300
    fitted, chosen = complete(engine, [text(prompt, max_tokens=300, fit_context=True),
                                       text(prompt, max_tokens=300)])
    assert fitted.error is None and fitted.output_tokens <= room
    assert chosen.error == (f"rejected: {prompt_tokens} prompt tokens plus max_tokens 300 exceed "
                            f"the model's context of {CONTEXT}")


def test_data_parallel_in_process_is_refused_in_one_line():
    with pytest.raises(EvalsuiteError, match="--data-parallel-size 2: vLLM .* only as a server") as raised:
        VLLMBackend("gemma-3-270m", VLLMOptions(device="cpu", data_parallel_size=2))
    assert "\n" not in str(raised.value)
