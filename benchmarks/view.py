"""`evalsuite view` on a synthetic run of 1,000,000 samples: the index, and the pages in
headless Chromium.

    python benchmarks/view.py [--samples 1000000] [--keep DIR]

The run's lines are real records (`evalsuite run` with dummy/random on every algorithm,
by default at lengths 4, 8 and 16, zero-shot and 2-shot: about 2.2 KB a line), repeated
under four model names with unique item ids until there are --samples of them. Indexing
time grows with the bytes, so the size of the file and the rate are printed too. Figures: time to index samples.jsonl
from nothing (target under 15 s), to read the stored index at the next start and to index
1% more lines appended; the overview's summaries computed on the server; and in headless
Chromium (Debian's chromium and chromium-driver), the time from asking for a page to its
being drawn (the page's own performance mark), for the overview, the first samples page, a
filter, a text search, a sort and one sample (target under 1 s each).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from evalsuite.cli.main import main as evalsuite
from evalsuite.view import RunSet, ViewerServer
from evalsuite.view.index import INDEX_FILE, SampleIndex
from evalsuite.view.overview import overview

MODELS = ("model-a", "model-b", "model-c", "model-d")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1000")


def pool(folder: Path, lengths: str, styles: list[str]) -> list[dict]:
    """Real records to repeat: dummy/random on every algorithm."""
    out = folder / "pool"
    arguments = ["run", "--model", "dummy/random", "--algorithms", "all", "--lengths", lengths, "--samples", "3",
                 "--style", *styles, "--shots", "2", "--no-cache", "--out", str(out)]
    if evalsuite(arguments) != 0:
        sys.exit("could not make the records to repeat")
    return [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]


def write_run(records: list[dict], count: int, directory: Path) -> None:
    """`count` lines: the records in turn, each under a model name and a unique item id."""
    directory.mkdir(parents=True)
    templates = []
    for record in records:
        for model in MODELS:
            text = json.dumps({**record, "model": model, "item_id": "\0", "key": "\0"}, ensure_ascii=False)
            templates.append(text.split('"\\u0000"'))
    with open(directory / "samples.jsonl", "w", encoding="utf-8") as out:
        for number in range(count):
            parts = templates[number % len(templates)]
            item = f'"{records[number // len(MODELS) % len(records)]["item_id"]}/{number}"'
            out.write(parts[0] + item + parts[1] + item + parts[2] + "\n")


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def cpu_timed(action) -> tuple[float, float]:
    """Wall and CPU seconds (this process, all its threads) of an action."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}")
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def page_time(driver, url: str, view: str) -> float:
    """Seconds from asking for `url` to the page being drawn, by the page's own clock."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, 300, poll_frequency=0.05).until(
        lambda d: d.execute_script(f"return performance.getEntriesByName('evalsuite:{view}').length"))
    if driver.execute_script("return document.getElementById('error')"):
        sys.exit(f"{url}: {driver.find_element('id', 'error').text}")
    return driver.execute_script(f"return performance.getEntriesByName('evalsuite:{view}')[0].startTime") / 1000


def measure(directory: Path, count: int) -> None:
    samples = directory / "samples.jsonl"
    print(f"run: {count:,} samples, {samples.stat().st_size / 2**30:.2f} GiB ({samples.stat().st_size / count / 1000:.1f} KB a line); "
          f"pyarrow {'installed' if _has_pyarrow() else 'missing (slow path)'}; {os.cpu_count()} CPUs")
    seconds, cpu = cpu_timed(lambda: SampleIndex(directory).refresh())
    print(f"index from nothing:            {seconds:6.2f} s   (target < 15 s; CPU {cpu:.2f} s; "
          f"{samples.stat().st_size / 2**20 / seconds:.0f} MiB/s; {INDEX_FILE} {(directory / INDEX_FILE).stat().st_size / 2**20:.0f} MiB)")
    seconds, _ = timed(lambda: SampleIndex(directory).refresh())
    print(f"read the stored index:         {seconds:6.2f} s")
    extra = count // 100
    with open(samples, encoding="utf-8") as source, open(samples, "a", encoding="utf-8") as out:
        lines = [next(source) for _ in range(extra)]
        out.writelines(lines)  # the same samples again: indexed, then kept once
    index = SampleIndex(directory)
    seconds, _ = timed(index.refresh)
    print(f"index 1% more lines appended:  {seconds:6.2f} s   ({len(index.lines):,} lines)")

    runs = RunSet([directory])
    seconds, table = timed(runs.table)
    print(f"open the run (stored index):   {seconds:6.2f} s")
    seconds, _ = timed(lambda: overview(runs, None, None))
    print(f"overview summaries (server):   {seconds:6.2f} s   (computed once, before the URL is printed)")
    seconds, _ = timed(lambda: overview(runs, "elementwise", None))
    print(f"another metric (server):       {seconds:6.2f} s")
    server = ViewerServer(runs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    driver = chromium()
    try:
        url = server.url
        driver.get(url + "static/viewer.css")  # start the browser before timing pages
        pages = [
            ("overview", "", "overview"),
            ("overview, another metric", "?metric=elementwise", "overview"),
            ("first samples page", "?view=samples", "samples"),
            ("filter: model, algorithm", "?view=samples&model=model-b&algo_name=bfs", "samples"),
            ("filter: wrong, length 16", "?view=samples&outcome=wrong&length=16", "samples"),
            ("text search in outputs", "?view=samples&q=0.5", "samples"),
            ("sort by elementwise", "?view=samples&sort=elementwise&desc=1", "samples"),
            ("last samples page", f"?view=samples&page={-(-len(table) // 50)}", "samples"),
            ("one sample", f"?view=sample&id=0-{len(table) // 2}", "sample"),
        ]
        for name, query, view in pages:
            print(f"chromium {name + ':':29}{page_time(driver, url + query, view):6.2f} s   (target < 1 s)")
    finally:
        driver.quit()
        server.shutdown()
        server.server_close()


def _has_pyarrow() -> bool:
    try:
        import pyarrow.json  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--lengths", default="4,8,16", help="lengths of the records repeated (default: 4,8,16)")
    parser.add_argument("--styles", default="zero-shot,few-shot", help="their prompt styles (default: zero-shot,few-shot)")
    parser.add_argument("--keep", help="write the run here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="view-bench-"))
    try:
        records = pool(folder, args.lengths, args.styles.split(","))
        seconds, _ = timed(lambda: write_run(records, args.samples, folder / "run"))
        print(f"wrote the synthetic run in {seconds:.1f} s")
        measure(folder / "run", args.samples)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
