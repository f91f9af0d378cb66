"""Prices, costs and the dry-run estimate of what a batch of requests would cost."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from evalsuite.backends.base import Completion, Request
from evalsuite.errors import EvalsuiteError

DEFAULT_PRICES = Path(__file__).resolve().parent.parent / "data" / "prices.toml"
CHARS_PER_TOKEN = 4  # the usual rule of thumb for English and digits; no tokenizer needed
MESSAGE_OVERHEAD_TOKENS = 4  # role markers and separators around each chat message


@dataclass(frozen=True)
class Price:
    """USD per million input and output tokens."""

    input: float
    output: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input + output_tokens * self.output) / 1_000_000


@dataclass(frozen=True)
class PriceTable:
    """Prices by provider, then model name."""

    prices: Mapping[str, Mapping[str, Price]]

    def lookup(self, provider: str, model: str) -> Price | None:
        """The price of `model`: its exact name, else the longest listed name it starts with."""
        models = self.prices.get(provider, {})
        if model in models:
            return models[model]
        prefixes = [name for name in models if model.startswith(name)]
        return models[max(prefixes, key=len)] if prefixes else None


def load_prices(extra: str | Path | None = None) -> PriceTable:
    """The shipped price table, overridden and extended by the user's file `extra`."""
    merged: dict[str, dict[str, Price]] = {}
    for path in [DEFAULT_PRICES] + ([Path(extra)] if extra else []):
        for provider, models in _read_price_file(Path(path)).items():
            merged.setdefault(provider, {}).update(models)
    return PriceTable(merged)


def _read_price_file(path: Path) -> dict[str, dict[str, Price]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise EvalsuiteError(f"cannot read price file {path}: {error.strerror}") from None
    raw = _parse_toml(text, path)
    table: dict[str, dict[str, Price]] = {}
    for provider, models in raw.items():
        if not isinstance(models, dict):
            raise EvalsuiteError(f"price file {path}: [{provider}] must be a table of models")
        for model, entry in models.items():
            try:
                price = Price(float(entry["input"]), float(entry["output"]))
            except (TypeError, KeyError, ValueError):
                raise EvalsuiteError(
                    f'price file {path}: [{provider}] "{model}" needs input and output '
                    "in USD per million tokens, e.g. { input = 0.15, output = 0.60 }"
                ) from None
            table.setdefault(provider, {})[model] = price
    return table


def _parse_toml(text: str, path: Path) -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise EvalsuiteError(f"price file {path} is not valid TOML: {error}") from None


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate: one token per four characters, rounded up."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def estimate_input_tokens(request: Request) -> int:
    if request.messages is None:
        return estimate_tokens(request.text or "")
    return sum(estimate_tokens(m.content) + MESSAGE_OVERHEAD_TOKENS for m in request.messages)


@dataclass(frozen=True)
class CostEstimate:
    """What one request would use: estimated input tokens, at most `max_tokens` output."""

    input_tokens: int
    output_tokens: int
    cost_usd: float | None


def estimate_cost(request: Request, price: Price | None) -> CostEstimate:
    """The upper-bound estimate for one request: input at chars/4, output at max_tokens."""
    input_tokens = estimate_input_tokens(request)
    output_tokens = request.params.max_tokens
    cost = price.cost(input_tokens, output_tokens) if price else None
    return CostEstimate(input_tokens, output_tokens, cost)


def dry_run(
    model: str, requests: Sequence[Request], prices: PriceTable | None = None
) -> list[CostEstimate]:
    """Estimate tokens and cost of each request to `model` (PROVIDER/MODEL) without sending any.

    Input tokens are estimated as characters / 4 (no tokenizer), output tokens as each
    request's `max_tokens`, so the total is an upper bound for output. Cost is None where
    the price table has no entry for the model.
    """
    provider, _, name = model.partition("/")
    price = (prices or load_prices()).lookup(provider, name)
    return [estimate_cost(request, price) for request in requests]


def completion_cost(completion: Completion, request: Request, price: Price | None) -> float | None:
    """The cost of a completion from the usage the API reported, estimated where it reported
    none; None without a price."""
    if price is None:
        return None
    input_tokens = completion.input_tokens
    if input_tokens is None:
        input_tokens = estimate_input_tokens(request)
    output_tokens = completion.output_tokens
    if output_tokens is None:
        output_tokens = estimate_tokens(completion.text)
    return price.cost(input_tokens, output_tokens)
