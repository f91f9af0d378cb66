"""openai/MODEL: what is sent where, what comes back, and what it costs."""

from __future__ import annotations

import pytest
from fake_api import OPENAI_CHAT, OPENAI_COMPLETIONS
from harness import FAST, OPENAI_KEY, chat, run, tuned

from evalsuite.backends import BackendOptions, load_backend
from evalsuite.backends.base import GenerationParams, Request
from evalsuite.errors import EvalsuiteError
from evalsuite.prompts.record import Message


def openai_model(api, model: str = "m", **changes) -> object:
    options = tuned(FAST, base_url=api.base_url, **changes)
    return load_backend(f"openai/{model}", options)


def test_chat_mode_posts_the_messages_and_every_parameter_to_chat_completions(api):
    request = Request(
        text=None,
        messages=(Message("system", "You sort."), Message("user", "Sort [3 1 2].")),
        params=GenerationParams(max_tokens=32, temperature=0.5, stop=("\n\n",), seed=7),
    )
    [completion] = run(openai_model(api), [request])
    assert completion.text == "[1 2 3]"
    [call] = api.calls(OPENAI_CHAT)
    assert call.body == {
        "model": "m", "max_tokens": 32, "temperature": 0.5, "stop": ["\n\n"], "seed": 7,
        "messages": [{"role": "system", "content": "You sort."},
                     {"role": "user", "content": "Sort [3 1 2]."}],
    }


def test_completion_mode_posts_the_prompt_to_the_completions_endpoint(api):
    request = Request(text="Q: sort [3 1 2]\nA:", messages=None,
                      params=GenerationParams(max_tokens=8))
    [completion] = run(openai_model(api), [request])
    assert completion.text == "[1 2 3]"
    assert api.calls(OPENAI_CHAT) == []
    [call] = api.calls(OPENAI_COMPLETIONS)
    assert call.body["prompt"] == "Q: sort [3 1 2]\nA:"
    assert call.body["max_tokens"] == 8


def test_the_base_url_can_come_from_the_environment(api, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", api.base_url)
    [completion] = run(load_backend("openai/m", FAST), [chat()])
    assert completion.error is None
    assert len(api.calls(OPENAI_CHAT)) == 1


def test_a_local_server_needs_no_key(api, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    [completion] = run(openai_model(api), [chat()])
    assert completion.error is None


def test_the_official_api_without_a_key_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(EvalsuiteError, match="set OPENAI_API_KEY"):
        load_backend("openai/gpt-4o-mini", BackendOptions(cache=None))


def test_cost_comes_from_the_reported_usage_and_the_price_table(api):
    [completion] = run(openai_model(api, "gpt-4o-mini-2024-07-18"), [chat()])
    assert completion.cost_usd == pytest.approx((11 * 0.15 + 7 * 0.60) / 1e6)


def test_an_unpriced_model_has_no_cost(api):
    [completion] = run(openai_model(api, "my-local-llama"), [chat()])
    assert completion.cost_usd is None


def test_max_cost_stops_sending_once_spent(api):
    # Each answer costs (11 × 2.50 + 7 × 10.00) / 1e6 = 0.0000975 USD: the third crosses 0.00025.
    backend = openai_model(api, "gpt-4o", concurrency=1, max_cost=0.00025)
    completions = run(backend, [chat(str(i)) for i in range(5)])
    assert [c.error is None for c in completions] == [True] * 3 + [False] * 2
    assert all(c.error.startswith("budget") for c in completions[3:])
    assert len(api.calls(OPENAI_CHAT)) == 3


def test_max_cost_without_a_price_is_refused_before_sending(api):
    with pytest.raises(EvalsuiteError, match="--max-cost needs a price"):
        openai_model(api, "my-local-llama", max_cost=1.0)


def test_the_key_goes_in_the_authorization_header(api):
    run(openai_model(api), [chat()])
    assert api.calls(OPENAI_CHAT)[0].headers["authorization"] == f"Bearer {OPENAI_KEY}"
