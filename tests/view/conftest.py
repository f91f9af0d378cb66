"""Runs to view (made by `evalsuite run` on the dummy models, some outputs then changed and
scored again), the viewer's server on 127.0.0.1, and a headless Chromium driven by
selenium (Debian's chromium and chromium-driver; no browser is downloaded)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from view_runs import XSS, make_run, records, write_records, wrong_output

from evalsuite.scoring import score_record
from evalsuite.view import RunSet, ViewerServer

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1400,1000")


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory) -> Path:
    """Oracle and random answers to bfs, insertion_sort and minimum at lengths 4 and 8, few-shot
    and trace style, 48 samples; the oracle's first insertion_sort trace sample at length 8 is
    changed so that its step 2 and its answer's element 3 are wrong."""
    directory = make_run(tmp_path_factory.mktemp("runs") / "small", "dummy/oracle", ("--model", "dummy/random"))
    rows = records(directory)
    for row in rows:
        if (row["model"], row["algo_name"], row["length"], row["style"], row["index"]) == ("dummy/oracle", "insertion_sort", 8, "trace", 0):
            row.update(score_record({**row, "output": wrong_output(row, step=2, element=3)}))
    write_records(directory, rows)
    return directory


@pytest.fixture(scope="session")
def xss_run(tmp_path_factory) -> Path:
    """A run whose outputs, prompts and model name are HTML that would run if not escaped."""
    directory = make_run(tmp_path_factory.mktemp("runs") / "xss")
    rows = records(directory)
    for row in rows:
        row.update(score_record({**row, "output": XSS}))
        row["prompt"] = XSS + row["prompt"]
        row["model"] = "<b onmouseover=alert(1)>dummy</b>"
    write_records(directory, rows)
    return directory


@pytest.fixture
def serve():
    """serve(run directories) → the URL of a viewer over them, stopped after the test."""
    servers = []

    def start(*directories: Path) -> str:
        server = ViewerServer(RunSet(directories))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A headless Chromium with a fresh profile, its console and network logged."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for program in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(program):
            raise RuntimeError(f"{program} is missing: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()


@pytest.fixture
def screenshots(tmp_path: Path):
    """save(name) writes a screenshot of the whole page under the test's folder (or under
    $EVALSUITE_SCREENSHOTS when set, to look at them)."""
    import os

    folder = Path(os.environ.get("EVALSUITE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def save(driver, name: str) -> Path:
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1400, min(max(height, 600), 6000))
        path = folder / f"{name}.png"
        driver.save_screenshot(str(path))
        driver.set_window_size(1400, 1000)
        assert path.stat().st_size > 10_000  # a page was drawn, not a blank
        return path

    return save
