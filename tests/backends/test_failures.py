"""Reading Retry-After, and keeping secrets out of error messages."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from evalsuite.backends.failures import is_deterministic, is_over_context, parse_retry_after, redact


@pytest.mark.parametrize("headers, seconds", [
    ({"retry-after": "7"}, 7.0),
    ({"Retry-After": "1.5"}, 1.5),
    ({"retry-after-ms": "250"}, 0.25),
    ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
    ({"retry-after": "-3"}, 0.0),
    ({"retry-after": "soon"}, None),
    ({}, None),
])
def test_retry_after_in_seconds_or_milliseconds(headers, seconds):
    assert parse_retry_after(headers) == seconds


def test_retry_after_as_an_http_date():
    now = 1_700_000_000.0
    header = {"retry-after": formatdate(now + 30, usegmt=True)}
    assert parse_retry_after(header, now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after({"retry-after": formatdate(now - 30, usegmt=True)}, now=now) == 0.0


def test_redact_removes_keys_and_keeps_one_short_line():
    text = "Incorrect API key provided: sk-proj-abc123***xyz.\nSee docs. my-secret-value"
    cleaned = redact(text, secrets=("my-secret-value",))
    assert "abc123" not in cleaned and "my-secret-value" not in cleaned
    assert "\n" not in cleaned
    assert len(redact("x" * 1000)) == 300


@pytest.mark.parametrize("placeholder", ["x", "EMPTY", "none", "1234567"])
def test_a_placeholder_key_shorter_than_a_secret_leaves_the_text_intact(placeholder):
    text = "max_tokens=81980 cannot be greater than max_model_len=2048 (EMPTY none 1234567)"
    assert redact(text, secrets=(placeholder,)) == text


def test_a_key_of_secret_length_is_redacted_wherever_it_appears():
    assert redact("key abcdefgh was abcdefgh", secrets=("abcdefgh",)) == "key [redacted] was [redacted]"


@pytest.mark.parametrize("error, deterministic, too_long", [
    ("rejected: HTTP 400: max_tokens=81980 cannot be greater than max_model_len=2048", True, True),
    ("rejected: HTTP 400: This model's maximum context length is 2048 tokens.", True, True),
    ("rejected: HTTP 400: prompt is too long: 210000 tokens > 200000 maximum", True, True),
    ("rejected: HTTP 400: content refused", True, False),
    ("server_error: HTTP 500: context deadline exceeded", False, False),
    ("timeout: request timed out", False, False),
])
def test_which_errors_a_re_run_would_meet_again(error, deterministic, too_long):
    assert is_deterministic(error) is deterministic
    assert is_over_context(error) is too_long
