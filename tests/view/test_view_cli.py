"""`evalsuite view` from the command line: it serves and prints its URL, exports one file,
and turns mistakes into one line and exit code 2."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from evalsuite.cli.main import build_parser, main


def test_it_serves_the_runs_and_prints_where(run_dir: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "evalsuite", "view", str(run_dir)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group()
        with urllib.request.urlopen(url + "api/samples?size=1", timeout=60) as response:
            assert json.load(response)["total"] == 48
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_export_writes_one_self_contained_file(run_dir: Path, tmp_path: Path, capsys) -> None:
    report = tmp_path / "report.html"
    assert main(["view", str(run_dir), "--export", str(report), "--export-samples", "5"]) == 0
    assert f"wrote {report}" in capsys.readouterr().err
    page = report.read_text()
    assert page.count("<script") == 2 and "src=" not in page.split('<link rel="icon" href="data:,">')[1]
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; script-src \'sha256-' in html.unescape(page)
    data = json.loads(re.search(r'<script type="application/json" id="evalsuite-data">(.*?)</script>', page, re.DOTALL).group(1))
    assert len(data["samples"]) == 5 and len(data["details"]) == 5
    assert [row["outcome"] for row in data["samples"]] == ["wrong"] * 5
    assert set(data["overviews"]) == {"exact_flexible", "exact_strict", "elementwise", "parsed", "trace_prefix"}


@pytest.mark.parametrize(("arguments", "message"), [
    (["view", "/nonexistent/run"], "no such run directory: /nonexistent/run"),
    (["view", "{run}", "--port", "eighty"], "--port: 'eighty' is not a whole number"),
    (["view", "{run}", "--export-samples", "-3"], "--export-samples must be 0 or more"),
    (["view", "{run}", "--export", "/nonexistent/dir/report.html"], "directory /nonexistent/dir does not exist"),
])
def test_mistakes_are_one_line_and_exit_2(run_dir: Path, arguments: list[str], message: str, capsys) -> None:
    assert main([argument.format(run=run_dir) for argument in arguments]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error and "Traceback" not in error


def test_options_are_not_abbreviated(run_dir: Path, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["view", str(run_dir), "--exp", "x.html"])
    assert stopped.value.code == 2 and "unrecognized arguments: --exp" in capsys.readouterr().err
