"""The viewer's web server: one page, its script and stylesheet from the package, and a
JSON API over the overview and samples functions. Read-only (GET and HEAD only); no path
in a URL is ever turned into a file path, so nothing outside the given runs is served."""

from __future__ import annotations

import ipaddress
import json
import sys
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from evalsuite.errors import EvalsuiteError
from evalsuite.view.overview import overview
from evalsuite.view.page import render_page, static_file
from evalsuite.view.runs import RunSet
from evalsuite.view.samples import DEFAULT_PAGE, sample_page, samples_page
from evalsuite.view.table import Query

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
STATIC = {"/static/viewer.js": "text/javascript; charset=utf-8", "/static/viewer.css": "text/css; charset=utf-8"}


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class ViewerServer(ThreadingHTTPServer):
    """Serves `runs`; `url` is where. On a loopback address, requests must name a loopback
    host, so that a web page elsewhere cannot read the runs through DNS rebinding."""

    daemon_threads = True

    def __init__(self, runs: RunSet, host: str = "127.0.0.1", port: int = 0) -> None:
        self.runs = runs
        self.page = render_page(None).encode("utf-8")
        try:
            super().__init__((host, port), ViewerHandler)
        except OSError as error:
            raise EvalsuiteError(f"cannot listen on {host}:{port} ({error.strerror or error})") from None
        bound = self.server_address[1]
        self.url = f"http://{f'[{host}]' if ':' in host else host}:{bound}/"
        names = ("127.0.0.1", "localhost", "[::1]")
        self.allowed_hosts = {f"{name}:{bound}" for name in names} if is_loopback(host) else None


def _int(params: dict, name: str, default: int) -> int:
    text = (params.get(name) or [str(default)])[-1]
    try:
        return int(text)
    except ValueError:
        raise EvalsuiteError(f"{name} must be a whole number, got {text!r}") from None


def _api_overview(runs: RunSet, params: dict) -> dict:
    by = params.get("by")
    columns = None if by is None else [c for c in by[-1].split(",") if c]
    return overview(runs, (params.get("metric") or [""])[-1] or None, columns)


def _api_samples(runs: RunSet, params: dict) -> dict:
    return samples_page(runs, Query.from_params(params), _int(params, "page", 1), _int(params, "size", DEFAULT_PAGE))


def _api_sample(runs: RunSet, params: dict) -> dict:
    return sample_page(runs, (params.get("id") or [""])[-1])


API = {"/api/overview": _api_overview, "/api/samples": _api_samples, "/api/sample": _api_sample}


class ViewerHandler(BaseHTTPRequestHandler):
    server: ViewerServer
    server_version = "evalsuite-view"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        allowed = self.server.allowed_hosts
        if allowed is not None and self.headers.get("Host", "") not in allowed:
            return self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", b"unexpected Host header", send_body)
        parts = urlsplit(self.path)
        if parts.path == "/":
            return self._send(HTTPStatus.OK, "text/html; charset=utf-8", self.server.page, send_body)
        if parts.path in STATIC:
            return self._send(HTTPStatus.OK, STATIC[parts.path], static_file(parts.path.rsplit("/", 1)[1]), send_body)
        handler = API.get(parts.path)
        if handler is None:
            return self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found", send_body)
        status, answer = HTTPStatus.OK, None
        try:
            answer = handler(self.server.runs, parse_qs(parts.query, keep_blank_values=True))
        except EvalsuiteError as error:
            status, answer = HTTPStatus.BAD_REQUEST, {"error": str(error)}
        except LookupError:
            status, answer = HTTPStatus.NOT_FOUND, {"error": "no such sample"}
        except Exception as error:  # noqa: BLE001 - a bug: say so on the page and in the terminal, keep serving
            traceback.print_exc(file=sys.stderr)
            status, answer = HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"internal error: {error}"}
        body = json.dumps(answer, ensure_ascii=False, allow_nan=False).encode("utf-8")
        self._send(status, "application/json; charset=utf-8", body, send_body)

    def _send(self, status: HTTPStatus, content_type: str, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        pass  # one line per request would drown the URL the user needs
