"""OpenAI and OpenAI-compatible servers (vLLM serve, Ollama, llama.cpp, LM Studio).

Chat mode goes to chat.completions, completion mode to the completions endpoint. The SDK's
own retries are off: `ConcurrentBackend` retries by `classify`.
"""

from __future__ import annotations

from evalsuite.backends.base import Completion, Failure, MalformedResponse, Request
from evalsuite.backends.failures import classify_api_error
from evalsuite.backends.transport import http_client

KEY_ENV = "OPENAI_API_KEY"
BASE_URL_ENV = "OPENAI_BASE_URL"
OFFICIAL_URL = "https://api.openai.com/v1"


def endpoint(request: Request) -> str:
    """The API endpoint a request goes to (part of its cache key)."""
    return "chat.completions" if request.mode == "chat" else "completions"


class OpenAIAPI:
    """One OpenAI model behind `base_url` (None: the official API)."""

    provider = "openai"

    def __init__(
        self, model: str, *, api_key: str, base_url: str | None = None, timeout: float = 120.0,
        transport: str = "auto",
    ) -> None:
        import openai  # heavy: only when an OpenAI model is asked for

        self._sdk = openai
        self._chat_type = openai.types.chat.ChatCompletion
        self._completion_type = openai.types.Completion
        self.model = model
        self.base_url = base_url
        self._secrets = (api_key,)
        self._client = openai.AsyncOpenAI(
            api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout,
            http_client=http_client(openai, transport, timeout),
        )

    def endpoint(self, request: Request) -> str:
        return endpoint(request)

    async def generate(self, request: Request) -> Completion:
        chat = request.messages is not None
        # The client's own `post`: the same HTTP, timeouts, errors and response parsing as
        # `chat.completions.create`, without its recursive re-typing of a body that is plain
        # JSON already (a third of the SDK's CPU per request).
        response = await self._client.post(
            "/chat/completions" if chat else "/completions", body=self.body(request),
            cast_to=self._chat_type if chat else self._completion_type,
        )
        return _to_completion(response, chat=chat)

    def body(self, request: Request) -> dict:
        """The JSON body of a request to the chat or the completions endpoint."""
        params = request.params
        body: dict = {"model": self.model, "temperature": params.temperature}
        if params.stop:
            body["stop"] = list(params.stop)
        if params.seed is not None:
            body["seed"] = params.seed
        if request.messages is not None:
            # The official API has renamed max_tokens for chat; compatible servers know the old name.
            body["max_tokens" if self.base_url else "max_completion_tokens"] = params.max_tokens
            body["messages"] = [{"role": m.role, "content": m.content} for m in request.messages]
        else:
            body["prompt"] = request.text or ""
            body["max_tokens"] = params.max_tokens
        return body

    def classify(self, error: Exception) -> Failure | None:
        return classify_api_error(
            error, self._sdk, key_env=KEY_ENV, url=self.base_url or OFFICIAL_URL,
            secrets=self._secrets,
        )

    async def aclose(self) -> None:
        await self._client.close()


def completion_from_json(body: dict, *, chat: bool, request_id: str | None = None) -> Completion:
    """A completion from a response body as plain JSON (a batch's output file), read the same
    way as `_to_completion` reads the SDK's objects, without building them (10x the CPU)."""
    choices = body.get("choices")
    if not choices:
        raise MalformedResponse("no choices in the response")
    choice = choices[0]
    if chat:
        if choice.get("message") is None:
            raise MalformedResponse("no message in the first choice")
        text = choice["message"].get("content")
    else:
        text = choice.get("text")
        if text is None:
            raise MalformedResponse("no text in the first choice")
    usage = body.get("usage") or {}
    return Completion(
        text=text or "", finish_reason=choice.get("finish_reason"),
        input_tokens=usage.get("prompt_tokens"), output_tokens=usage.get("completion_tokens"),
        request_id=request_id or body.get("id"),
    )


def _to_completion(response: object, *, chat: bool) -> Completion:
    choices = getattr(response, "choices", None)
    if not choices:
        raise MalformedResponse("no choices in the response")
    choice = choices[0]
    if chat:
        message = getattr(choice, "message", None)
        if message is None:
            raise MalformedResponse("no message in the first choice")
        text = message.content
    else:
        text = getattr(choice, "text", None)
        if text is None:
            raise MalformedResponse("no text in the first choice")
    usage = getattr(response, "usage", None)
    return Completion(
        text=text or "",  # a chat answer may be empty content (e.g. only a refusal)
        finish_reason=choice.finish_reason,
        input_tokens=getattr(usage, "prompt_tokens", None),
        output_tokens=getattr(usage, "completion_tokens", None),
        request_id=getattr(response, "_request_id", None) or getattr(response, "id", None),
    )
