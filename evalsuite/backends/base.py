"""The one interface every model backend implements: requests in, completions out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from evalsuite.prompts.record import Message


@dataclass(frozen=True)
class GenerationParams:
    """How to generate: the same fields for every provider.

    `fit_context`: `max_tokens` is a default bound (enough for the gold answer), not the
    user's: an engine that knows the model's context lowers it to what fits beside the prompt.
    """

    max_tokens: int = 256
    temperature: float = 0.0
    stop: tuple[str, ...] = ()
    seed: int | None = None
    fit_context: bool = False


@dataclass(frozen=True)
class Request:
    """One prompt to complete: `text` in completion mode, `messages` in chat mode.

    `gold` is only read by the `dummy/oracle` baseline.
    """

    text: str | None
    messages: tuple[Message, ...] | None
    params: GenerationParams = field(default_factory=GenerationParams)
    gold: str | None = None

    @property
    def mode(self) -> str:
        return "chat" if self.messages is not None else "completion"


@dataclass(frozen=True)
class Completion:
    """A model's answer to one Request, or the error that stopped it."""

    text: str
    finish_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_s: float = 0.0
    request_id: str | None = None
    cached: bool = False
    cost_usd: float | None = None
    error: str | None = None
    batch_id: str | None = None  # the provider's batch that answered it (--batch)


class Backend(Protocol):
    """A model behind one provider. `stream` yields (position in `requests`, Completion)
    as each completes, so that callers can store results the moment they arrive."""

    name: str

    def stream(self, requests: Sequence[Request]) -> AsyncIterator[tuple[int, Completion]]: ...

    async def aclose(self) -> None: ...


class MalformedResponse(Exception):
    """A provider answered 200 with a body we cannot read; worth retrying."""


Cause = Literal[
    "rate_limit", "server_error", "timeout", "connection", "malformed",
    "rejected", "auth", "not_found", "unexpected",
    "expired", "canceled", "batch_failed", "missing",  # items of a batch (--batch)
]


@dataclass(frozen=True)
class Failure:
    """What one failed call means: a provider's verdict on an exception it raised.

    `fatal` failures (bad key, model or base URL) stop the whole run; `retry` ones are tried
    again after `retry_after_s` (when the server said so) or an exponential backoff; the rest
    become the Completion's `error`, written `"{cause}: {message}"`.
    """

    cause: Cause
    message: str
    retry: bool = False
    fatal: bool = False
    retry_after_s: float | None = None


class ProviderAPI(Protocol):
    """A hosted model's API, one call at a time. `ConcurrentBackend` turns it into a Backend
    by adding bounded concurrency, rate limits, retries, timeouts and cost."""

    provider: str
    model: str
    base_url: str | None

    def endpoint(self, request: Request) -> str:
        """The API endpoint a request goes to (part of the cache key)."""
        ...

    async def generate(self, request: Request) -> Completion:
        """Send one request, once; raise the SDK's exception on failure."""
        ...

    def classify(self, error: Exception) -> Failure:
        """Say whether an exception raised by `generate` is fatal, retryable or final."""
        ...

    async def aclose(self) -> None: ...
