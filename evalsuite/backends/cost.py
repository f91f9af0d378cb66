"""Prices, costs and the dry-run estimate of what a batch of requests would cost."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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


    def scaled(self, factor: float) -> Price:
        return Price(self.input * factor, self.output * factor)


BATCH_TABLE = "batch_discount"  # the price file's table of batch-API factors by provider


@dataclass(frozen=True)
class PriceTable:
    """Prices by provider, then model name; `batch_factors`: what fraction of them each
    provider's batch API charges."""

    prices: Mapping[str, Mapping[str, Price]]
    batch_factors: Mapping[str, float] = field(default_factory=dict)

    def lookup(self, provider: str, model: str, batch: bool = False) -> Price | None:
        """The price of `model`: its exact name, else the longest listed name it starts with;
        with `batch`, at the provider's batch rate (standard where none is listed)."""
        models = self.prices.get(provider, {})
        if model in models:
            price = models[model]
        else:
            prefixes = [name for name in models if model.startswith(name)]
            price = models[max(prefixes, key=len)] if prefixes else None
        if price is None or not batch:
            return price
        return price.scaled(self.batch_factors.get(provider, 1.0))


def load_prices(extra: str | Path | None = None) -> PriceTable:
    """The shipped price table, overridden and extended by the user's file `extra`."""
    merged: dict[str, dict[str, Price]] = {}
    factors: dict[str, float] = {}
    for path in [DEFAULT_PRICES] + ([Path(extra)] if extra else []):
        prices, batch = _read_price_file(Path(path))
        for provider, models in prices.items():
            merged.setdefault(provider, {}).update(models)
        factors.update(batch)
    return PriceTable(merged, factors)


def _read_price_file(path: Path) -> tuple[dict[str, dict[str, Price]], dict[str, float]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise EvalsuiteError(f"cannot read price file {path}: {error.strerror}") from None
    raw = _parse_toml(text, path)
    factors = _batch_factors(raw.pop(BATCH_TABLE, {}), path)
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
    return table, factors


def _batch_factors(raw: object, path: Path) -> dict[str, float]:
    factors = {}
    for provider, factor in (raw.items() if isinstance(raw, dict) else [("?", None)]):
        if not isinstance(factor, (int, float)) or not 0 < factor <= 1:
            raise EvalsuiteError(f"price file {path}: [{BATCH_TABLE}] {provider} must be a fraction "
                                 "of the standard price, e.g. openai = 0.5")
        factors[provider] = float(factor)
    return factors


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
    model: str, requests: Sequence[Request], prices: PriceTable | None = None, batch: bool = False
) -> list[CostEstimate]:
    """Estimate tokens and cost of each request to `model` (PROVIDER/MODEL) without sending any.

    Input tokens are estimated as characters / 4 (no tokenizer), output tokens as each
    request's `max_tokens`, so the total is an upper bound for output. Cost is None where
    the price table has no entry for the model; `batch` prices at the batch APIs' rates.
    """
    provider, _, name = model.partition("/")
    price = (prices or load_prices()).lookup(provider, name, batch=batch)
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
