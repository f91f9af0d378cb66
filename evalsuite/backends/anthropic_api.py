"""Anthropic's messages API.

System messages go to `system=`; a completion-mode prompt is sent as one user message. The
API has no seed, so `GenerationParams.seed` is not sent. Temperature is deprecated for models
after Claude Opus 4.6 (they answer 400, and anthropic>=2 has no such argument): it is sent in
the body, and dropped for the rest of the run as soon as the model refuses it. The SDK's own
retries are off: `ConcurrentBackend` retries by `classify`.
"""

from __future__ import annotations

from evalsuite.backends.base import Completion, Failure, MalformedResponse, Request
from evalsuite.backends.failures import classify_api_error
from evalsuite.backends.transport import http_client

KEY_ENV = "ANTHROPIC_API_KEY"
BASE_URL_ENV = "ANTHROPIC_BASE_URL"
OFFICIAL_URL = "https://api.anthropic.com"
_FINISH_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length"}


def endpoint(request: Request) -> str:
    """The API endpoint a request goes to (part of its cache key)."""
    return "messages"


class AnthropicAPI:
    """One Anthropic model behind `base_url` (None: the official API)."""

    provider = "anthropic"

    def __init__(
        self, model: str, *, api_key: str, base_url: str | None = None, timeout: float = 120.0,
        transport: str = "auto",
    ) -> None:
        import anthropic  # heavy: only when an Anthropic model is asked for

        self._sdk = anthropic
        self._message_type = anthropic.types.Message
        self.model = model
        self.base_url = base_url
        self._secrets = (api_key,)
        self._send_temperature = True
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout,
            http_client=http_client(anthropic, transport, timeout),
        )

    def endpoint(self, request: Request) -> str:
        return endpoint(request)

    async def generate(self, request: Request) -> Completion:
        try:
            response = await self._send(self.body(request))
        except self._sdk.BadRequestError as error:
            if not self.refuses_temperature(str(error)):
                raise
            response = await self._send(self.body(request))
        return _to_completion(response, request.params.stop)

    def body(self, request: Request) -> dict:
        """The JSON body of a request to the messages endpoint."""
        params = request.params
        system, messages = _split_system(request)
        body: dict = {"model": self.model, "max_tokens": params.max_tokens, "messages": messages}
        if system:
            body["system"] = system
        # The API refuses stop sequences that are only whitespace ("\n\n"); those are applied
        # to the answer here instead.
        sent_stops = [stop for stop in params.stop if stop.strip()]
        if sent_stops:
            body["stop_sequences"] = sent_stops
        if self._send_temperature:
            body["temperature"] = params.temperature
        return body

    def refuses_temperature(self, message: str) -> bool:
        """Whether an error says the model takes no temperature; if so it is not sent again."""
        if not (self._send_temperature and "temperature" in message):
            return False
        self._send_temperature = False
        return True

    async def _send(self, body: dict) -> object:
        # The client's own `post`: the same HTTP, timeouts, errors and response parsing as
        # `messages.create`, without re-typing a body that is plain JSON already.
        return await self._client.post("/v1/messages", body=body, cast_to=self._message_type)

    def classify(self, error: Exception) -> Failure | None:
        return classify_api_error(
            error, self._sdk, key_env=KEY_ENV, url=self.base_url or OFFICIAL_URL,
            secrets=self._secrets,
        )

    async def aclose(self) -> None:
        await self._client.close()


def _split_system(request: Request) -> tuple[str, list[dict]]:
    if request.messages is None:
        return "", [{"role": "user", "content": request.text or ""}]
    system = "\n\n".join(m.content for m in request.messages if m.role == "system")
    turns = [{"role": m.role, "content": m.content}
             for m in request.messages if m.role != "system"]
    return system, turns


def completion_from_json(message: dict, stops: tuple[str, ...]) -> Completion:
    """A completion from a message as plain JSON (a batch's results), read the same way as
    `_to_completion` reads the SDK's objects, without building them."""
    content, usage = message.get("content"), message.get("usage")
    if content is None or usage is None:
        raise MalformedResponse("no content or usage in the message")
    text = "".join(block.get("text") or "" for block in content)
    return _finished(text, message.get("stop_reason"), stops, usage.get("input_tokens"),
                     usage.get("output_tokens"), message.get("id"))


def _to_completion(response: object, stops: tuple[str, ...]) -> Completion:
    content = getattr(response, "content", None)
    usage = getattr(response, "usage", None)
    if content is None or usage is None:
        raise MalformedResponse("no content or usage in the response")
    text = "".join(getattr(block, "text", "") or "" for block in content)
    return _finished(text, response.stop_reason, stops, usage.input_tokens, usage.output_tokens,
                     getattr(response, "_request_id", None) or getattr(response, "id", None))


def _finished(text: str, stop_reason: str | None, stops: tuple[str, ...], input_tokens: int | None,
              output_tokens: int | None, request_id: str | None) -> Completion:
    """The completion, cut at the first stop sequence the API was not sent."""
    finish_reason = _FINISH_REASONS.get(stop_reason, stop_reason)
    cut = min((index for index in (text.find(stop) for stop in stops) if index >= 0), default=-1)
    if cut >= 0:
        text, finish_reason = text[:cut], "stop"
    return Completion(text=text, finish_reason=finish_reason, input_tokens=input_tokens,
                      output_tokens=output_tokens, request_id=request_id)
