"""The two providers' batch APIs behind one small interface: submit, look, read, cancel.

OpenAI: the requests are a JSONL file uploaded with `files.create(purpose="batch")`, then
`batches.create`; results come back as an output file and an error file (`files.content`).
Anthropic: `messages.batches.create` takes the requests, `messages.batches.results` streams
the results as JSONL. Both are read line by line as they arrive, never loaded whole.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from evalsuite.backends.base import Completion, Failure, MalformedResponse, Request

SPOOL_BYTES = 8 * 1024 * 1024  # an input file larger than this is spooled to disk


@dataclass(frozen=True)
class BatchState:
    """What the provider says of one batch: ended or not, and its requests by outcome.
    `failure` says why a batch failed as a whole (then it holds no results)."""

    ended: bool
    succeeded: int = 0
    errored: int = 0
    expired: int = 0
    canceled: int = 0
    processing: int = 0
    failure: str | None = None
    unfinished: str = "missing"  # the cause given to requests an ended batch did not answer


ItemOutcome = tuple[str, Completion | Failure]  # (custom id, its answer or why it has none)
RequestOf = Callable[[str], Request | None]  # the request behind a custom id (None: not wanted)


def item_failure(status: int | None, kind: str, message: str) -> Failure:
    """What one errored item means: stop the run (key, model), resubmit it, or record it."""
    kind = kind or ""
    if status in (401, 403) or kind in ("authentication_error", "permission_error"):
        return Failure("auth", f"{kind or status}: {message}", fatal=True)
    if status == 404 or kind == "not_found_error":
        return Failure("not_found", f"{kind or status}: {message}", fatal=True)
    if status == 429 or kind == "rate_limit_error":
        return Failure("rate_limit", message, retry=True)
    if (status is not None and (status >= 500 or status in (408, 409))) or kind in (
            "api_error", "overloaded_error", "timeout_error", "server_error"):
        return Failure("server_error", message, retry=True)
    return Failure("rejected", message)


class OpenAIBatches:
    """OpenAI's Batch API (and servers that copy it), over an `OpenAIAPI`'s client."""

    max_requests = 50_000
    max_bytes = 200 * 1000 * 1000

    def __init__(self, api) -> None:  # api: OpenAIAPI
        self.api = api
        self.client = api._client

    def endpoint(self, request: Request) -> str:
        return "/v1/chat/completions" if request.messages is not None else "/v1/completions"

    def item(self, custom_id: str, request: Request) -> bytes:
        """One line of the input file."""
        line = {"custom_id": custom_id, "method": "POST", "url": self.endpoint(request),
                "body": self.api.body(request)}
        return json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"

    async def submit(self, endpoint: str, items: list[bytes]) -> tuple[str, str | None]:
        """Upload the items and create their batch: (batch id, input file id)."""
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            for line in items:
                spool.write(line)
            spool.seek(0)
            uploaded = await self.client.files.create(file=("batch.jsonl", spool), purpose="batch")
        batch = await self.client.batches.create(
            input_file_id=uploaded.id, endpoint=endpoint, completion_window="24h",
            metadata={"created_by": "evalsuite"},
        )
        return batch.id, uploaded.id

    async def state(self, batch_id: str) -> BatchState:
        batch = await self.client.batches.retrieve(batch_id)
        counts = batch.request_counts
        total, done, failed = (counts.total, counts.completed, counts.failed) if counts else (0, 0, 0)
        ended = batch.status in ("completed", "failed", "expired", "cancelled")
        failure = None
        if batch.status == "failed":
            errors = (batch.errors.data or []) if batch.errors else []
            failure = "; ".join(f"{e.code}: {e.message}" for e in errors) or "the batch failed"
        unfinished = {"expired": "expired", "cancelled": "canceled", "failed": "batch_failed"}
        return BatchState(ended, succeeded=done, errored=failed,
                          processing=0 if ended else max(total - done - failed, 0),
                          failure=failure, unfinished=unfinished.get(batch.status, "missing"))

    async def results(self, batch_id: str, request_of: RequestOf) -> AsyncIterator[ItemOutcome]:
        batch = await self.client.batches.retrieve(batch_id)
        for file_id in (batch.output_file_id, batch.error_file_id):
            if not file_id:
                continue
            async with self.client.files.with_streaming_response.content(file_id) as response:
                async for line in response.iter_lines():
                    outcome = self._outcome(line, request_of)
                    if outcome is not None:
                        yield outcome

    def _outcome(self, line: str, request_of: RequestOf) -> ItemOutcome | None:
        if not line.strip():
            return None
        entry = json.loads(line)
        custom_id = entry.get("custom_id")
        request = request_of(custom_id)
        if request is None:
            return None
        response = entry.get("response") or {}
        error = entry.get("error")
        status = response.get("status_code")
        if error is None and status == 200:
            return custom_id, self._completion(response, request)
        if error is not None:  # expired or cancelled before it was sent
            code = error.get("code") or ""
            cause = {"batch_expired": "expired", "batch_cancelled": "canceled"}.get(code)
            message = f"{code}: {error.get('message', '')}"
            if cause:
                return custom_id, Failure(cause, message, retry=True)
            return custom_id, item_failure(status, code, message)
        body = response.get("body") or {}
        detail = body.get("error") if isinstance(body.get("error"), dict) else {}
        message = f"HTTP {status}: {detail.get('message', '')}"
        return custom_id, item_failure(status, detail.get("type") or "", message)

    def _completion(self, response: dict, request: Request) -> Completion | Failure:
        from evalsuite.backends.openai_api import completion_from_json

        try:
            return completion_from_json(response.get("body") or {}, chat=request.messages is not None,
                                        request_id=response.get("request_id"))
        except MalformedResponse as error:
            return Failure("malformed", str(error), retry=True)

    async def cancel(self, batch_id: str) -> None:
        await self.client.batches.cancel(batch_id)


class AnthropicBatches:
    """Anthropic's Message Batches API, over an `AnthropicAPI`'s client."""

    max_requests = 100_000
    max_bytes = 256 * 1000 * 1000

    def __init__(self, api) -> None:  # api: AnthropicAPI
        self.api = api
        self.client = api._client

    def endpoint(self, request: Request) -> str:
        return "/v1/messages"

    def item(self, custom_id: str, request: Request) -> bytes:
        entry = {"custom_id": custom_id, "params": self.api.body(request)}
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    async def submit(self, endpoint: str, items: list[bytes]) -> tuple[str, str | None]:
        batch = await self.client.messages.batches.create(requests=[json.loads(i) for i in items])
        return batch.id, None

    async def state(self, batch_id: str) -> BatchState:
        batch = await self.client.messages.batches.retrieve(batch_id)
        counts = batch.request_counts
        return BatchState(batch.processing_status == "ended", succeeded=counts.succeeded,
                          errored=counts.errored, expired=counts.expired, canceled=counts.canceled,
                          processing=counts.processing)

    async def results(self, batch_id: str, request_of: RequestOf) -> AsyncIterator[ItemOutcome]:
        # The raw lines of the SDK's results stream: typing each line as the SDK's objects
        # would cost ten times the CPU of reading it.
        reading = self.client.messages.batches.with_streaming_response.results(batch_id)
        async with reading as response:
            async for line in response.iter_lines():
                if line.strip():
                    outcome = self._outcome(json.loads(line), request_of)
                    if outcome is not None:
                        yield outcome

    def _outcome(self, entry: dict, request_of: RequestOf) -> ItemOutcome | None:
        from evalsuite.backends.anthropic_api import completion_from_json

        custom_id = entry.get("custom_id")
        request = request_of(custom_id)
        if request is None:
            return None
        result = entry.get("result") or {}
        kind = result.get("type")
        if kind == "succeeded":
            try:
                return custom_id, completion_from_json(result.get("message") or {}, request.params.stop)
            except MalformedResponse as error:
                return custom_id, Failure("malformed", str(error), retry=True)
        if kind in ("expired", "canceled"):
            return custom_id, Failure(kind, f"the batch {kind} the request", retry=True)
        detail = (result.get("error") or {}).get("error") or {}
        message = f"{detail.get('type', '')}: {detail.get('message', '')}"
        failure = item_failure(None, detail.get("type") or "", message)
        if failure.cause == "rejected" and self.api.refuses_temperature(message):
            failure = Failure("rejected", message, retry=True)  # sent again without it
        return custom_id, failure

    async def cancel(self, batch_id: str) -> None:
        await self.client.messages.batches.cancel(batch_id)
