"""The batch endpoints of the fake server: OpenAI's files + batches, Anthropic's message batches.

Batches end when the test says so, not after a sleep: `hold()` keeps every batch in progress
until `finish()`; otherwise a batch ends `ready_after_s` after its creation (the benchmark's
5 s). `script(*outcomes)` decides the fate of the next items processed, in order
("errored", "expired", "rejected", "succeeded"); `fail_next_batch()` fails a whole OpenAI
batch at validation. `submitted[custom_id]` counts how often each request was put in a batch.
`hold_results_after(n)` sends the first n lines of a results file, then the rest only after
`release_results()` (a kill while the results are read).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP

OPENAI_FILES = "/v1/files"
OPENAI_BATCHES = "/v1/batches"
ANTHROPIC_BATCHES = "/v1/messages/batches"


@dataclass
class FakeBatch:
    id: str
    provider: str
    endpoint: str
    items: list[tuple[str, dict]]  # (custom id, request body)
    created: float
    status: str = "in_progress"
    outcomes: list[str] = field(default_factory=list)
    output_file: str | None = None
    error_file: str | None = None
    failure: str | None = None
    ended: float | None = None  # time.monotonic() when a look first found it ended


class FakeBatches:
    def __init__(self, success_body, text: str) -> None:
        self._success_body = success_body
        self.text = text
        self.ready_after_s = 0.0
        self.max_items: int | None = None  # a create with more items is refused (HTTP 400)
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, FakeBatch] = {}
        self.submitted: Counter[str] = Counter()
        self.created = threading.Event()  # set when the first batch is created
        self.cancelled: list[str] = []
        self.uploads: list[dict] = []  # form fields of each upload, file content left out
        self._lock = threading.Lock()
        self._held = False
        self._outcomes: deque[str] = deque()
        self._fail_batches = 0
        self.results_hold: int | None = None
        self.results_released = threading.Event()

    def hold_results_after(self, lines: int) -> None:
        self.results_hold = lines
        self.results_released.clear()

    def release_results(self) -> None:
        self.results_released.set()

    # What tests call.
    def hold(self) -> None:
        with self._lock:
            self._held = True

    def finish(self) -> None:
        with self._lock:
            self._held = False

    def script(self, *outcomes: str) -> None:
        with self._lock:
            self._outcomes.extend(outcomes)

    def fail_next_batch(self) -> None:
        with self._lock:
            self._fail_batches += 1

    def sizes(self) -> list[int]:
        with self._lock:
            return [len(batch.items) for batch in self.batches.values()]

    # What the handler calls: (status, body, content type), or None for other paths.
    def handle(self, method: str, path: str, headers: dict, raw: bytes):
        if method == "POST" and path == OPENAI_FILES:
            return self._upload(headers, raw)
        if method == "POST" and path == OPENAI_BATCHES:
            return self._create_openai(json.loads(raw))
        if method == "POST" and path == ANTHROPIC_BATCHES:
            return self._create_anthropic(json.loads(raw))
        parts = path.strip("/").split("/")
        if path.startswith(ANTHROPIC_BATCHES + "/"):
            batch_id = parts[3]
            if len(parts) == 4 and method == "GET":
                return self._json(self._anthropic_view(self._look(batch_id)))
            if parts[4:] == ["cancel"] and method == "POST":
                return self._json(self._anthropic_view(self._cancel(batch_id)))
            if parts[4:] == ["results"] and method == "GET":
                batch = self._look(batch_id)
                return 200, self.files[batch.output_file], "application/binary"
        if path.startswith(OPENAI_BATCHES + "/"):
            batch_id = parts[2]
            if len(parts) == 3 and method == "GET":
                return self._json(self._openai_view(self._look(batch_id)))
            if parts[3:] == ["cancel"] and method == "POST":
                return self._json(self._openai_view(self._cancel(batch_id)))
        if path.startswith(OPENAI_FILES + "/") and path.endswith("/content") and method == "GET":
            return 200, self.files[parts[2]], "application/binary"
        return None

    def _json(self, body: dict, status: int = 200):
        return status, json.dumps(body).encode(), "application/json"

    def _upload(self, headers: dict, raw: bytes):
        head = f"Content-Type: {headers['content-type']}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + raw)
        fields, content = {}, b""
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name == "file":
                content = part.get_payload(decode=True)
            else:
                fields[name] = part.get_content().strip()
        with self._lock:
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = content
            self.uploads.append(fields)
        return self._json({"id": file_id, "object": "file", "bytes": len(content), "created_at": 0,
                           "filename": "batch.jsonl", "purpose": "batch", "status": "processed"})

    def _create_openai(self, body: dict):
        lines = [json.loads(line) for line in self.files[body["input_file_id"]].splitlines() if line]
        items = [(line["custom_id"], line["body"]) for line in lines]
        if any(line["url"] != body["endpoint"] for line in lines):
            return self._json({"error": {"message": "mixed endpoints", "type": "invalid_request_error"}}, 400)
        return self._create("openai", body["endpoint"], items, self._openai_view)

    def _create_anthropic(self, body: dict):
        items = [(entry["custom_id"], entry["params"]) for entry in body["requests"]]
        return self._create("anthropic", "/v1/messages", items, self._anthropic_view)

    def _create(self, provider: str, endpoint: str, items: list, view):
        if self.max_items is not None and len(items) > self.max_items:
            return self._json({"type": "error", "error": {
                "type": "invalid_request_error", "message": f"at most {self.max_items} requests"}}, 400)
        with self._lock:
            batch = FakeBatch(f"batch_{len(self.batches) + 1:04d}", provider, endpoint, items, time.monotonic())
            self.batches[batch.id] = batch
            self.submitted.update(custom_id for custom_id, _ in items)
            if self._fail_batches:
                self._fail_batches -= 1
                batch.failure = "token_limit_exceeded: scripted validation failure"
        self.created.set()
        return self._json(view(batch))

    def _look(self, batch_id: str) -> FakeBatch:
        with self._lock:
            batch = self.batches[batch_id]
            due = time.monotonic() >= batch.created + self.ready_after_s
            if batch.status == "in_progress" and (batch.failure or (due and not self._held)):
                self._end(batch)
            return batch

    def _cancel(self, batch_id: str) -> FakeBatch:
        with self._lock:
            batch = self.batches[batch_id]
            self.cancelled.append(batch_id)
            if batch.status == "in_progress":
                batch.outcomes = ["canceled"] * len(batch.items)
                self._write_results(batch, "cancelled")
            return batch

    def _end(self, batch: FakeBatch) -> None:
        batch.ended = time.monotonic()
        if batch.failure:
            batch.status = "failed"
            return
        batch.outcomes = [self._outcomes.popleft() if self._outcomes else "succeeded" for _ in batch.items]
        self._write_results(batch, "completed")

    def _write_results(self, batch: FakeBatch, status: str) -> None:
        batch.status = status
        lines = [self._result_line(batch, custom_id, body, outcome)
                 for (custom_id, body), outcome in zip(batch.items, batch.outcomes)]
        if batch.provider == "anthropic":
            batch.output_file = f"file-{batch.id}-results"
            self.files[batch.output_file] = b"".join(line for line, _ in lines)
            return
        good = b"".join(line for line, ok in lines if ok)
        bad = b"".join(line for line, ok in lines if not ok)
        if good:
            batch.output_file = f"file-{batch.id}-output"
            self.files[batch.output_file] = good
        if bad:
            batch.error_file = f"file-{batch.id}-errors"
            self.files[batch.error_file] = bad

    def _result_line(self, batch: FakeBatch, custom_id: str, body: dict, outcome: str) -> tuple[bytes, bool]:
        if batch.provider == "anthropic":
            result = {"succeeded": {"type": "succeeded",
                                    "message": self._success_body("/v1/messages", body, self.text)},
                      "errored": {"type": "errored", "error": {"type": "error", "error": {
                          "type": "api_error", "message": "scripted failure"}}},
                      "rejected": {"type": "errored", "error": {"type": "error", "error": {
                          "type": "invalid_request_error", "message": "scripted rejection"}}},
                      "expired": {"type": "expired"}, "canceled": {"type": "canceled"}}[outcome]
            entry = {"custom_id": custom_id, "result": result}
        elif outcome == "succeeded":
            entry = {"id": f"batch_req_{custom_id[:8]}", "custom_id": custom_id, "error": None,
                     "response": {"status_code": 200, "request_id": f"req_{custom_id[:8]}",
                                  "body": self._success_body(batch.endpoint, body, self.text)}}
        elif outcome in ("errored", "rejected"):
            status, kind = (500, "server_error") if outcome == "errored" else (400, "invalid_request_error")
            entry = {"id": "batch_req_x", "custom_id": custom_id, "error": None,
                     "response": {"status_code": status, "request_id": "req_x",
                                  "body": {"error": {"message": f"scripted {outcome}", "type": kind}}}}
        else:
            code = {"expired": "batch_expired", "canceled": "batch_cancelled"}[outcome]
            entry = {"id": "batch_req_x", "custom_id": custom_id, "response": None,
                     "error": {"code": code, "message": f"scripted {outcome}"}}
        return json.dumps(entry).encode() + b"\n", outcome == "succeeded"

    def _openai_view(self, batch: FakeBatch) -> dict:
        ended = batch.status in ("completed", "failed", "expired", "cancelled")
        done = sum(o == "succeeded" for o in batch.outcomes)
        errors = None
        if batch.status == "failed":
            code, _, message = batch.failure.partition(": ")
            errors = {"object": "list", "data": [{"code": code, "message": message}]}
        return {"id": batch.id, "object": "batch", "endpoint": batch.endpoint, "errors": errors,
                "input_file_id": "file-in", "completion_window": "24h", "status": batch.status,
                "output_file_id": batch.output_file, "error_file_id": batch.error_file,
                "created_at": 0, "request_counts": {
                    "total": len(batch.items), "completed": done,
                    "failed": len(batch.outcomes) - done if ended else 0}}

    def _anthropic_view(self, batch: FakeBatch) -> dict:
        ended = batch.status != "in_progress"
        counts = Counter(batch.outcomes)
        return {"id": batch.id, "type": "message_batch",
                "processing_status": "ended" if ended else "in_progress",
                "request_counts": {"processing": 0 if ended else len(batch.items),
                                   "succeeded": counts["succeeded"],
                                   "errored": counts["errored"] + counts["rejected"],
                                   "canceled": counts["canceled"], "expired": counts["expired"]},
                "created_at": "2026-12-03T00:00:00Z", "expires_at": "2026-12-04T00:00:00Z",
                "ended_at": "2026-12-03T00:01:00Z" if ended else None,
                "results_url": f"/v1/messages/batches/{batch.id}/results" if ended else None}
