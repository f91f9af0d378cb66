"""How every hosted provider fails: the real SDKs over HTTP against a scripted server."""

from __future__ import annotations

import time

import pytest
from fake_api import OPENAI_CHAT, Reply, error_reply
from harness import ANTHROPIC_KEY, FAST, OPENAI_KEY, Provider, chat, run, tuned

from evalsuite.errors import EvalsuiteError


def test_a_success_carries_text_tokens_and_request_id(api, provider):
    [completion] = run(provider.model(api), [chat()])
    assert completion.error is None
    assert completion.text == "[1 2 3]"
    assert (completion.input_tokens, completion.output_tokens) == (11, 7)
    assert completion.finish_reason == "stop"
    assert completion.request_id in ("req_openai_fake", "req_anthropic_fake")
    assert completion.latency_s > 0
    assert not completion.cached


def test_429_is_retried_after_the_seconds_in_retry_after(api, provider):
    api.script(provider.path, error_reply(429, **{"retry-after": "1"}))
    started = time.monotonic()
    [completion] = run(provider.model(api), [chat()])
    assert completion.error is None
    assert time.monotonic() - started >= 0.95
    assert len(api.calls(provider.path)) == 2


def test_one_429_holds_back_only_the_request_it_was_told_of(api, provider):
    api.script(provider.path, error_reply(429, **{"retry-after": "2"}))
    options = tuned(FAST, concurrency=2)
    completions = run(provider.model(api, options), [chat(str(i)) for i in range(6)])
    assert all(c.error is None for c in completions)
    calls = api.calls(provider.path)
    told = calls[0].body
    retry = [call for call in calls[1:] if call.body == told]
    assert len(retry) == 1 and retry[0].at >= api.answered_at[1] + 2.0
    # The other worker went on meanwhile: every other request arrived before the retry.
    assert max(call.number for call in calls if call.body != told) < retry[0].number


@pytest.mark.parametrize("status", [408, 409, 500, 503, 529])
def test_transient_statuses_are_retried(api, provider, status):
    api.script(provider.path, error_reply(status), error_reply(status))
    [completion] = run(provider.model(api), [chat()])
    assert completion.error is None
    assert len(api.calls(provider.path)) == 3


def test_retries_are_bounded_and_end_in_an_error_naming_the_cause(api, provider):
    api.script(provider.path, *[error_reply(503)] * 10)
    options = tuned(FAST, max_retries=2)
    [completion] = run(provider.model(api, options), [chat()])
    assert completion.error.startswith("server_error: HTTP 503")
    assert "3 attempts" in completion.error
    assert len(api.calls(provider.path)) == 3


def test_a_slow_answer_times_out_and_is_retried(api, provider):
    api.script(provider.path, Reply(hang=True))
    options = tuned(FAST, timeout=1.0)
    [completion] = run(provider.model(api, options), [chat()])
    assert completion.error is None
    assert len(api.calls(provider.path)) == 2


def test_an_answer_that_never_comes_in_time_is_a_timeout_error(api, provider):
    api.script(provider.path, Reply(hang=True), Reply(hang=True))
    options = tuned(FAST, timeout=0.2, max_retries=1)
    [completion] = run(provider.model(api, options), [chat()])
    assert completion.error.startswith("timeout")


def test_a_dropped_connection_is_retried(api, provider):
    api.script(provider.path, Reply(drop=True))
    [completion] = run(provider.model(api), [chat()])
    assert completion.error is None
    assert len(api.calls(provider.path)) == 2


@pytest.mark.parametrize("body", [b"{not json", b"", {"unexpected": "shape"}],
                         ids=["broken-json", "empty", "wrong-shape"])
def test_a_malformed_body_is_retried(api, provider, body):
    api.script(provider.path, Reply(body=body))
    [completion] = run(provider.model(api), [chat()])
    assert completion.error is None
    assert len(api.calls(provider.path)) == 2


def test_a_body_that_stays_malformed_is_a_malformed_error(api, provider):
    api.script(provider.path, *[Reply(body=b"<html>oops</html>")] * 3)
    options = tuned(FAST, max_retries=2)
    [completion] = run(provider.model(api, options), [chat()])
    assert completion.error.startswith("malformed")


def test_400_is_that_requests_error_and_the_run_goes_on(api, provider):
    api.script(provider.path, error_reply(400, "prompt is too long"))
    options = tuned(FAST, concurrency=1)
    first, second = run(provider.model(api, options), [chat("long"), chat("short")])
    assert first.error == "rejected: HTTP 400: prompt is too long"
    assert second.error is None
    assert len(api.calls(provider.path)) == 2  # the 400 was not retried


@pytest.mark.parametrize("status, hint", [(401, "API_KEY"), (403, "API_KEY"), (404, "base URL")])
def test_a_bad_key_model_or_url_stops_the_run_with_one_line(api, provider, status, hint):
    api.script(provider.path, error_reply(status, f"bad thing {OPENAI_KEY} {ANTHROPIC_KEY}"))
    options = tuned(FAST, concurrency=1)
    with pytest.raises(EvalsuiteError) as raised:
        run(provider.model(api, options), [chat(str(i)) for i in range(20)])
    message = str(raised.value)
    assert f"HTTP {status}" in message and hint in message
    assert "\n" not in message
    assert OPENAI_KEY not in message and ANTHROPIC_KEY not in message
    assert "SECRET" not in message
    assert len(api.calls(provider.path)) == 1  # neither retried nor continued


def test_no_more_than_concurrency_requests_are_in_flight(api, provider):
    api.answer_in_groups(3)  # a fourth request in flight would be held beside the other three
    options = tuned(FAST, concurrency=3)
    completions = run(provider.model(api, options), [chat(str(i)) for i in range(12)])
    assert all(c.error is None for c in completions)
    assert api.most_in_flight == 3


def test_rpm_spaces_the_requests(api, provider):
    options = tuned(FAST, rpm=600)  # one every 0.1 s
    started = time.monotonic()
    run(provider.model(api, options), [chat(str(i)) for i in range(4)])
    assert time.monotonic() - started >= 0.29


def test_the_key_is_sent_but_never_recorded(api, provider):
    api.script(provider.path, error_reply(400, f"echo {OPENAI_KEY} {ANTHROPIC_KEY}"))
    [completion] = run(provider.model(api), [chat()])
    sent = " ".join(api.calls(provider.path)[0].headers.values())
    assert OPENAI_KEY in sent or ANTHROPIC_KEY in sent
    assert "SECRET" not in repr(completion)


def test_the_sdk_sends_through_the_transport_asked_for(api, provider):
    import importlib

    sdk = importlib.import_module(provider.name)
    backend = provider.model(api)
    client = backend.api._client._client  # the SDK client's HTTP client
    assert isinstance(client, sdk.DefaultAioHttpClient) == (provider.transport == "aiohttp")
    [completion] = run(backend, [chat()])
    assert completion.error is None


def test_aiohttp_is_the_default_transport_when_installed(api):
    import openai

    from evalsuite.backends import load_backend

    backend = load_backend("openai/m", tuned(FAST, base_url=api.base_url))
    assert isinstance(backend.api._client._client, openai.DefaultAioHttpClient)
    run(backend, [])


def test_a_short_placeholder_key_leaves_the_servers_error_text_intact(api, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "x")
    message = "max_tokens=81980 cannot be greater than max_model_len=2048"
    api.script(OPENAI_CHAT, error_reply(400, message))
    [completion] = run(Provider("openai", OPENAI_CHAT).model(api), [chat()])
    assert completion.error == f"rejected: HTTP 400: {message}"
