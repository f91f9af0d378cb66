"""Prices from a data file users can extend; costs of answers; dry-run estimates."""

from __future__ import annotations

import pytest

from evalsuite.backends.base import Completion, GenerationParams, Request
from evalsuite.backends.cost import (
    Price,
    completion_cost,
    dry_run,
    estimate_cost,
    load_prices,
)
from evalsuite.errors import EvalsuiteError
from evalsuite.prompts.record import Message


def test_a_dated_model_is_priced_by_the_longest_listed_prefix():
    prices = load_prices()
    assert prices.lookup("openai", "gpt-4o-mini-2024-07-18") == Price(0.15, 0.60)
    assert prices.lookup("openai", "gpt-4o-2024-08-06") == Price(2.50, 10.00)
    assert prices.lookup("anthropic", "claude-sonnet-4-5-20250929") == Price(3.00, 15.00)


def test_an_unknown_model_or_provider_has_no_price():
    prices = load_prices()
    assert prices.lookup("openai", "llama-3-8b") is None
    assert prices.lookup("hf", "gemma-3-270m") is None


def test_a_user_file_overrides_and_extends_the_shipped_table(tmp_path):
    mine = tmp_path / "prices.toml"
    mine.write_text('[openai]\n"gpt-4o-mini" = { input = 1.0, output = 2.0 }\n'
                    '[together]\n"llama-3-8b" = { output = 0.2, input = 0.1 }\n')
    prices = load_prices(mine)
    assert prices.lookup("openai", "gpt-4o-mini") == Price(1.0, 2.0)
    assert prices.lookup("together", "llama-3-8b") == Price(0.1, 0.2)
    assert prices.lookup("openai", "gpt-4o") == Price(2.50, 10.00)


@pytest.mark.parametrize("text, message", [
    ('[openai]\n"m" = { input = 1.0 }\n', "needs input and output"),
    ('[openai\n', "not valid TOML"),
])
def test_a_bad_price_file_is_one_clear_error(tmp_path, text, message):
    bad = tmp_path / "prices.toml"
    bad.write_text(text)
    with pytest.raises(EvalsuiteError, match=message):
        load_prices(bad)


def test_a_missing_price_file_is_a_clear_error(tmp_path):
    with pytest.raises(EvalsuiteError, match="cannot read price file"):
        load_prices(tmp_path / "nope.toml")


def test_cost_uses_reported_usage_and_estimates_what_is_missing():
    price = Price(input=1.0, output=2.0)
    request = Request(text="x" * 400, messages=None)
    assert completion_cost(Completion("a", input_tokens=10, output_tokens=5), request, price) \
        == pytest.approx(20 / 1e6)
    assert completion_cost(Completion("y" * 8), request, price) == pytest.approx(104 / 1e6)
    assert completion_cost(Completion("a"), request, None) is None


def test_the_estimate_is_chars_over_four_in_and_max_tokens_out():
    request = Request(text="x" * 401, messages=None, params=GenerationParams(max_tokens=50))
    estimate = estimate_cost(request, Price(input=1.0, output=2.0))
    assert (estimate.input_tokens, estimate.output_tokens) == (101, 50)
    assert estimate.cost_usd == pytest.approx((101 + 100) / 1e6)


def test_a_dry_run_prices_each_request_without_sending():
    chat = Request(text=None, messages=(Message("system", "s" * 40), Message("user", "u" * 80)))
    [estimate] = dry_run("openai/gpt-4o-mini", [chat])
    assert estimate.input_tokens == 10 + 4 + 20 + 4  # content plus a little per message
    assert estimate.cost_usd == pytest.approx((38 * 0.15 + 256 * 0.60) / 1e6)
    assert dry_run("openai/my-local-model", [chat])[0].cost_usd is None
