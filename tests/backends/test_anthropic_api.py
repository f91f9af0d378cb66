"""anthropic/MODEL: the messages API, system prompts, stop sequences and temperature."""

from __future__ import annotations

import pytest
from fake_api import ANTHROPIC_MESSAGES, Reply, error_reply, success_body
from harness import FAST, chat, run, tuned

from evalsuite.backends import BackendOptions, load_backend
from evalsuite.backends.base import GenerationParams, Request
from evalsuite.errors import EvalsuiteError
from evalsuite.prompts.record import Message


def claude(api, model: str = "claude-haiku-4-5-20251001", **changes) -> object:
    options = tuned(FAST, base_url=api.root_url, **changes)
    return load_backend(f"anthropic/{model}", options)


def answer(text: str, stop_reason: str = "end_turn") -> Reply:
    body = success_body(ANTHROPIC_MESSAGES, {}, text)
    return Reply(body={**body, "stop_reason": stop_reason})


def test_the_system_message_goes_to_system_and_the_turns_to_messages(api):
    request = Request(
        text=None,
        messages=(Message("system", "You sort."), Message("user", "Sort [3 1 2]."),
                  Message("assistant", "[1 2 3]"), Message("user", "Sort [9 8].")),
        params=GenerationParams(max_tokens=32, temperature=0.0, stop=("END",), seed=7),
    )
    [completion] = run(claude(api), [request])
    assert completion.text == "[1 2 3]"
    [call] = api.calls(ANTHROPIC_MESSAGES)
    assert call.body == {
        "model": "claude-haiku-4-5-20251001", "max_tokens": 32, "temperature": 0.0,
        "system": "You sort.", "stop_sequences": ["END"],
        "messages": [{"role": "user", "content": "Sort [3 1 2]."},
                     {"role": "assistant", "content": "[1 2 3]"},
                     {"role": "user", "content": "Sort [9 8]."}],
    }  # no seed: the API has none


def test_a_completion_mode_prompt_is_one_user_message(api):
    run(claude(api), [Request(text="Q: sort [2 1]\nA:", messages=None)])
    [call] = api.calls(ANTHROPIC_MESSAGES)
    assert call.body["messages"] == [{"role": "user", "content": "Q: sort [2 1]\nA:"}]
    assert "system" not in call.body


def test_whitespace_stops_are_applied_to_the_answer_not_sent(api):
    api.script(ANTHROPIC_MESSAGES, answer("[1 2 3]\n\nExplanation: ...", "max_tokens"))
    [completion] = run(claude(api), [chat(stop=("\n\n", "END"))])
    assert api.calls(ANTHROPIC_MESSAGES)[0].body["stop_sequences"] == ["END"]
    assert (completion.text, completion.finish_reason) == ("[1 2 3]", "stop")


@pytest.mark.parametrize("stop_reason, finish_reason",
                         [("end_turn", "stop"), ("stop_sequence", "stop"), ("max_tokens", "length")])
def test_stop_reasons_read_like_openai_finish_reasons(api, stop_reason, finish_reason):
    api.script(ANTHROPIC_MESSAGES, answer("[1]", stop_reason))
    [completion] = run(claude(api), [chat()])
    assert completion.finish_reason == finish_reason


def test_temperature_is_dropped_for_the_run_once_the_model_refuses_it(api):
    api.script(ANTHROPIC_MESSAGES, error_reply(400, "`temperature` is deprecated for this model."))
    completions = run(claude(api, concurrency=1), [chat("a"), chat("b")])
    assert all(c.error is None for c in completions)
    sent = [call.body for call in api.calls(ANTHROPIC_MESSAGES)]
    assert ["temperature" in body for body in sent] == [True, False, False]


def test_cost_uses_the_anthropic_price_table(api):
    [completion] = run(claude(api), [chat()])
    assert completion.cost_usd == pytest.approx((11 * 1.00 + 7 * 5.00) / 1e6)


def test_without_a_key_the_error_names_the_variable(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    with pytest.raises(EvalsuiteError, match="set ANTHROPIC_API_KEY"):
        load_backend("anthropic/claude-3-5-haiku-latest", BackendOptions(cache=None))
