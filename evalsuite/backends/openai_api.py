"""OpenAI and OpenAI-compatible servers (vLLM serve, Ollama, llama.cpp, LM Studio).

Chat mode goes to chat.completions, completion mode to the completions endpoint. The SDK's
own retries are off: `ConcurrentBackend` retries by `classify`.
"""

from __future__ import annotations

from evalsuite.backends.base import Completion, Failure, MalformedResponse, Request
from evalsuite.backends.failures import classify_api_error

KEY_ENV = "OPENAI_API_KEY"
BASE_URL_ENV = "OPENAI_BASE_URL"
OFFICIAL_URL = "https://api.openai.com/v1"


class OpenAIAPI:
    """One OpenAI model behind `base_url` (None: the official API)."""

    provider = "openai"

    def __init__(
        self, model: str, *, api_key: str, base_url: str | None = None, timeout: float = 120.0
    ) -> None:
        import openai  # heavy: only when an OpenAI model is asked for

        self._sdk = openai
        self.model = model
        self.base_url = base_url
        self._secrets = (api_key,)
        self._client = openai.AsyncOpenAI(
            api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout
        )

    def endpoint(self, request: Request) -> str:
        return "chat.completions" if request.mode == "chat" else "completions"

    async def generate(self, request: Request) -> Completion:
        params = request.params
        options: dict = {"model": self.model, "temperature": params.temperature}
        if params.stop:
            options["stop"] = list(params.stop)
        if params.seed is not None:
            options["seed"] = params.seed
        if request.messages is not None:
            # The official API has renamed max_tokens for chat; compatible servers know the old name.
            limit = "max_tokens" if self.base_url else "max_completion_tokens"
            messages = [{"role": m.role, "content": m.content} for m in request.messages]
            response = await self._client.chat.completions.create(
                messages=messages, **{limit: params.max_tokens}, **options
            )
        else:
            response = await self._client.completions.create(
                prompt=request.text or "", max_tokens=params.max_tokens, **options
            )
        return _to_completion(response, chat=request.messages is not None)

    def classify(self, error: Exception) -> Failure | None:
        return classify_api_error(
            error, self._sdk, key_env=KEY_ENV, url=self.base_url or OFFICIAL_URL,
            secrets=self._secrets,
        )

    async def aclose(self) -> None:
        await self._client.close()


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
