"""The server: only its page, script, stylesheet and API; nothing by path; read-only; a
loopback server answers only to loopback host names; errors are one line of JSON."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from evalsuite.view.server import is_loopback


def request(url: str, path: str, method: str = "GET", host: str | None = None) -> tuple[int, dict, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Host": host} if host else {}
    connection.request(method, path, headers=headers)  # the path is sent as written, dots and all
    response = connection.getresponse()
    answer = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    connection.close()
    return answer


@pytest.fixture
def url(serve, run_dir: Path) -> str:
    return serve(run_dir)


@pytest.mark.parametrize("path", [
    "/../../etc/passwd", "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/..%2f..%2f..%2fetc%2fpasswd", "//etc/passwd", "/samples.jsonl", "/manifest.json", "/static/", "/static/page.py",
    "/api/../../etc/passwd", "/api/sample/../../../etc/passwd", "/favicon.ico",
])
def test_nothing_is_served_by_path(url: str, path: str) -> None:
    status, _, body = request(url, path)
    assert status == 404 and b"root:" not in body


def test_a_sample_id_is_not_a_path(url: str) -> None:
    status, _, body = request(url, "/api/sample?id=../../etc/passwd")
    assert status == 404 and json.loads(body) == {"error": "no such sample"}


def test_the_page_script_and_stylesheet_come_with_a_strict_policy(url: str) -> None:
    for path, kind in (("/", "text/html"), ("/static/viewer.js", "text/javascript"), ("/static/viewer.css", "text/css")):
        status, headers, body = request(url, path)
        assert status == 200 and headers["content-type"].startswith(kind) and body
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "default-src 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
    page = request(url, "/")[2].decode()
    assert "<script>" not in page and "http" not in page.replace('"/static/', "")  # no inline code, nothing remote


def test_only_reading_is_allowed_and_the_run_is_left_as_it_was(url: str, run_dir: Path) -> None:
    before = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.name != "samples.idx"}
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert request(url, "/api/samples", method)[0] == 501
    status, headers, body = request(url, "/api/samples", "HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    request(url, "/api/overview")
    request(url, "/api/sample?id=0-3")
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.name != "samples.idx"} == before


def test_a_loopback_server_refuses_other_host_names(url: str) -> None:
    port = urlsplit(url).port
    assert request(url, "/", host="attacker.example")[0] == 403
    assert request(url, "/api/overview", host=f"attacker.example:{port}")[0] == 403
    assert request(url, "/", host=f"localhost:{port}")[0] == 200
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")


@pytest.mark.parametrize(("path", "message"), [
    ("/api/overview?metric=colour", "metric: no sample has 'colour'"),
    ("/api/overview?by=colour", "no column colour"),
    ("/api/samples?page=two", "page must be a whole number, got 'two'"),
    ("/api/samples?outcome=maybe", "outcome must be one of right, wrong, failed"),
    ("/api/samples?size=0", "size must be 1 to 500"),
])
def test_bad_requests_get_one_line(url: str, path: str, message: str) -> None:
    status, headers, body = request(url, path)
    assert status == 400 and headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert message in error and "\n" not in error


def test_the_api_answers_strict_json(url: str) -> None:
    overview = json.loads(request(url, "/api/overview?metric=trace_prefix")[2])  # NaN would not parse
    assert overview["metric"] == "trace_prefix" and overview["table"]["rows"]
    samples = json.loads(request(url, "/api/samples?model=dummy/oracle&outcome=wrong")[2])
    assert samples["total"] == 1
    sample = json.loads(request(url, f"/api/sample?id={samples['rows'][0]['id']}")[2])
    assert sample["explanation"]["first_wrong_step"] == 2
    assert [e["right"] for e in sample["explanation"]["elements"]].count(False) == 1
