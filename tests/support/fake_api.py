"""A scripted HTTP server on 127.0.0.1 that speaks enough of the OpenAI and Anthropic APIs.

Each test queues the replies it wants (`script`); once the queue is empty the server answers
every request successfully. The real SDKs talk to it over real HTTP. `batches` serves both
providers' batch APIs (see fake_batches.py).

Tests that depend on when requests are answered do not rely on sleeps tuned to a machine:
`hang` replies wait until the server stops, `answer_in_groups(n)` holds each request until
n have arrived together, and `hold_after(n)` holds every request after the n-th until
`release()`, so a test decides the timing and a loaded machine only makes it slower.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fake_batches import FakeBatches

OPENAI_CHAT = "/v1/chat/completions"
OPENAI_COMPLETIONS = "/v1/completions"
ANTHROPIC_MESSAGES = "/v1/messages"


@dataclass(frozen=True)
class Reply:
    """One scripted answer. `body=None` means the normal success body for the endpoint."""

    status: int = 200
    body: dict | bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    drop: bool = False  # close the connection without answering
    hang: bool = False  # never answer: wait until the server stops (timeout tests)


def error_reply(status: int, message: str = "scripted error", **headers: str) -> Reply:
    body = {"type": "error", "error": {"type": "scripted", "message": message}}
    return Reply(status=status, body=body, headers=dict(headers))


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: dict
    at: float  # time.monotonic() on arrival
    number: int = 0  # 1 for the first request the server received, 2 for the next...


def success_body(path: str, request: dict, text: str) -> dict:
    model = request.get("model", "unknown")
    if path == OPENAI_CHAT:
        choice = {"index": 0, "finish_reason": "stop",
                  "message": {"role": "assistant", "content": text}}
    elif path == OPENAI_COMPLETIONS:
        choice = {"index": 0, "finish_reason": "stop", "text": text, "logprobs": None}
    else:
        return {"id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                "stop_sequence": None, "usage": {"input_tokens": 11, "output_tokens": 7}}
    return {"id": "cmpl_fake", "object": "chat.completion", "created": 0, "model": model,
            "choices": [choice],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}}


class FakeAPI:
    """Start with `FakeAPI().start()`; `base_url` is for OpenAI, `root_url` for Anthropic."""

    def __init__(self, text: str = "[1 2 3]", delay_s: float = 0.0) -> None:
        self.text = text
        self.delay_s = delay_s  # for replies nobody scripted
        self.received: list[Received] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.answered_at: dict[int, float] = {}  # request number -> monotonic time of its reply
        self._script: dict[str, deque[Reply]] = {}
        self.batches = FakeBatches(success_body, text)
        self.batch_keys: set[str] = set()  # API keys seen on batch endpoints
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._group_size = 1
        self._hold_after: int | None = None
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def start(self) -> FakeAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.release()
        self.batches.release_results()
        self._server.shutdown()
        self._server.server_close()

    @property
    def root_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"

    def script(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._script.setdefault(path, deque()).extend(replies)

    def answer_in_groups(self, size: int) -> None:
        """Hold each request until `size` requests have arrived together (requests 1..size,
        then size+1..2*size, ...), so that a client keeping `size` in flight is seen doing so."""
        with self._lock:
            self._group_size = size

    def hold_after(self, count: int) -> None:
        """Answer the first `count` requests; hold every later one until `release()`."""
        with self._lock:
            self._hold_after = count

    def release(self) -> None:
        with self._changed:
            self._hold_after = None
            self._changed.notify_all()

    def calls(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def next_reply(self, path: str, request: Received) -> tuple[Received, Reply]:
        """Record the request, wait at the gates it must pass, and give its reply."""
        with self._changed:
            request = Received(request.path, request.headers, request.body, request.at,
                               number=len(self.received) + 1)
            self.received.append(request)
            queue = self._script.get(path)
            reply = queue.popleft() if queue else Reply(delay_s=self.delay_s)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self._changed.notify_all()
            group_end = -(-request.number // self._group_size) * self._group_size
            self._changed.wait_for(lambda: self._stopping.is_set() or (
                len(self.received) >= group_end
                and (self._hold_after is None or request.number <= self._hold_after)))
            return request, reply

    def answered(self, request: Received) -> None:
        with self._lock:
            self.in_flight -= 1
            self.answered_at[request.number] = time.monotonic()


def _handler_for(api: FakeAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            if not self._batch("GET", b""):
                self.send_error(404)

        def _batch(self, method: str, raw: bytes) -> bool:
            path = self.path.split("?")[0]
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = api.batches.handle(method, path, headers, raw)
            if answer is None:
                return False
            api.batch_keys.add(headers.get("authorization") or headers.get("x-api-key") or "")
            status, payload, kind = answer
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(payload)))
            self.send_header("request-id", "req_batch_fake")
            self.end_headers()
            hold = api.batches.results_hold
            if hold is not None and kind == "application/binary":
                lines = payload.splitlines(keepends=True)
                self.wfile.write(b"".join(lines[:hold]))
                self.wfile.flush()
                api.batches.results_released.wait()
                payload = b"".join(lines[hold:])
            try:
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client was killed while reading
            return True

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            raw = self.rfile.read(length)
            if self._batch("POST", raw):
                return
            request = json.loads(raw or b"{}")
            path = self.path.split("?")[0]
            headers = {k.lower(): v for k, v in self.headers.items()}
            received, reply = api.next_reply(path, Received(path, headers, request, time.monotonic()))
            if reply.delay_s:
                time.sleep(reply.delay_s)
            if reply.hang:
                api._stopping.wait()
            # Counted out before the reply leaves: once the client has it, it may send the next.
            api.answered(received)
            self._answer(path, request, reply)

        def _answer(self, path: str, request: dict, reply: Reply) -> None:
            if reply.drop or reply.hang:
                self.close_connection = True
                self.connection.close()
                return
            body = reply.body
            if body is None:
                body = success_body(path, request, api.text)
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(reply.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.send_header("x-request-id", "req_openai_fake")
            self.send_header("request-id", "req_anthropic_fake")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout tests)

    return Handler
