"""The viewer in a real browser (headless Chromium): the numbers it shows, its filters, one
sample's marks, escaping of untrusted text, and the exported file opened from disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from view_runs import XSS, records

from evalsuite.cli.main import main
from evalsuite.report import comparison_table, load_results

WAIT_S = 120  # generous: a page is ready when it says so, however slow the machine


def wait_ready(driver) -> str:
    return WebDriverWait(driver, WAIT_S).until(lambda d: d.execute_script("return document.body && document.body.dataset.ready"))


def load(driver, url: str) -> str:
    driver.get(url)
    return wait_ready(driver)


def after(driver, action) -> str:
    """Do something that draws another page (a link, a filter) and wait until it is drawn."""
    driver.execute_script("delete document.body.dataset.ready")
    action()
    return wait_ready(driver)


def console_errors(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def cells(driver) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(run, group) → (mean, interval, n line) of every cell of the summary table."""
    rows = driver.execute_script("""return [...document.querySelectorAll('#summary td.cell')].map(td => [
        td.dataset.run, td.dataset.group, ...['.mean', '.ci', '.n'].map(s => td.querySelector(s)?.textContent ?? '')]);""")
    return {(run, group): (mean, ci, n) for run, group, mean, ci, n in rows}


def expected_cells(run_dir: Path, by: list[str], metric: str) -> dict[tuple[str, str], tuple[str, str, str]]:
    table = comparison_table(load_results([run_dir]), by, metric)
    runs = [column.split("|")[0] for column in table.columns if column.endswith("|mean")]
    keys = [column for column in table.columns if "|" not in column and column != "ood"]
    found = {}
    for _, row in table.iterrows():
        group = "|".join(str(row[key]) for key in keys)
        for run in runs:
            mean, low, high, n = (row[f"{run}|{stat}"] for stat in ("mean", "ci_low", "ci_high", "n"))
            found[(run, group)] = (f"{mean:.3f}", f"[{low:.3f}, {high:.3f}]", f"n={int(n)}")
    return found


def count_text(driver) -> str:
    return driver.find_element(By.ID, "count").text


def test_overview_shows_the_report_numbers_and_the_chosen_metric(run_dir, serve, browser, screenshots) -> None:
    url = serve(run_dir)
    assert load(browser, url) == "overview"
    shown = cells(browser)
    assert {k: (mean, ci, n.split(" ·")[0]) for k, (mean, ci, n) in shown.items()} == expected_cells(
        run_dir, ["algorithm", "length"], "exact_flexible")
    assert shown[("dummy/oracle style=trace", "insertion_sort|8")][:2] == ("0.500", "[0.095, 0.905]")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#summary tbody tr")) == 6
    assert browser.find_elements(By.CSS_SELECTOR, "svg.plot circle")  # the score-against-length panels
    screenshots(browser, "overview")

    after(browser, lambda: Select(browser.find_element(By.ID, "metric")).select_by_value("elementwise"))
    elementwise = {k: (mean, ci, n.split(" ·")[0]) for k, (mean, ci, n) in cells(browser).items()}
    assert elementwise == expected_cells(run_dir, ["algorithm", "length"], "elementwise")
    assert elementwise[("dummy/oracle style=trace", "insertion_sort|8")][0] == f"{(1 + 7 / 8) / 2:.3f}"

    after(browser, lambda: browser.find_element(By.CSS_SELECTOR, "input[name=by][value=length]").click())
    assert len(browser.find_elements(By.CSS_SELECTOR, "#summary tbody tr")) == 3  # one per algorithm
    assert console_errors(browser) == []


def test_filters_change_the_number_of_samples(run_dir, serve, browser, screenshots) -> None:
    rows = records(run_dir)
    load(browser, serve(run_dir) + "?view=samples")
    assert count_text(browser) == "48 of 48 samples"
    after(browser, lambda: Select(browser.find_element(By.NAME, "model")).select_by_visible_text("dummy/oracle"))
    assert count_text(browser) == "24 of 48 samples"
    after(browser, lambda: Select(browser.find_element(By.NAME, "outcome")).select_by_value("wrong"))
    assert count_text(browser) == "1 of 48 samples"
    assert [row.text for row in browser.find_elements(By.CSS_SELECTOR, "#samples tbody td:nth-child(3)")] == ["insertion_sort"]

    after(browser, lambda: Select(browser.find_element(By.NAME, "outcome")).select_by_value(""))
    search = browser.find_element(By.NAME, "q")
    search.send_keys(" | ")
    after(browser, search.submit)
    traced = sum(" | " in row["output"] for row in rows if row["model"] == "dummy/oracle")
    assert count_text(browser) == f"{traced} of 48 samples" and traced == 12
    screenshots(browser, "samples")
    assert console_errors(browser) == []


def test_a_cell_links_to_its_samples_and_a_sample_marks_the_wrong_element_and_step(run_dir, serve, browser, screenshots) -> None:
    load(browser, serve(run_dir))
    cell = browser.find_element(By.CSS_SELECTOR, "td.cell[data-run='dummy/oracle style=trace'][data-group='insertion_sort|8'] a")
    after(browser, cell.click)
    assert count_text(browser) == "2 of 48 samples"
    first = browser.find_element(By.CSS_SELECTOR, "#samples tbody tr.sample td a")
    after(browser, first.click)

    elements = browser.find_elements(By.CSS_SELECTOR, "#elements td")
    assert len(elements) == 8
    assert [i for i, td in enumerate(elements) if "wrong" in td.get_attribute("class")] == [3]
    first_wrong = browser.find_elements(By.CSS_SELECTOR, "#steps tr.first-wrong td")
    assert first_wrong[0].text == "2" and first_wrong[-1].text == "first wrong step"
    assert all("right" in row.get_attribute("class") for row in browser.find_elements(By.CSS_SELECTOR, "#steps tbody tr")[:2])
    assert browser.find_element(By.CSS_SELECTOR, "h1 .badge").text == "wrong"
    screenshots(browser, "sample")
    assert console_errors(browser) == []


def test_next_wrong_sample_stays_in_the_cell(run_dir, serve, browser) -> None:
    load(browser, serve(run_dir) + "?view=samples&model=dummy/random&algo_name=bfs&length=8&style=trace")
    after(browser, browser.find_element(By.CSS_SELECTOR, "#samples tbody tr.sample td a").click)
    first = browser.current_url
    after(browser, browser.find_element(By.ID, "next-wrong").click)
    assert browser.current_url != first
    shown = {row.find_element(By.TAG_NAME, "th").text: row.find_element(By.TAG_NAME, "td").text
             for row in browser.find_elements(By.CSS_SELECTOR, "section table.kv tr")}
    assert (shown["model"], shown["algorithm / task"], shown["length"], shown["style"]) == ("dummy/random", "bfs", "8", "trace")
    assert browser.find_element(By.CSS_SELECTOR, "h1 .badge").text != "right"


def _nothing_ran(driver) -> None:
    assert driver.execute_script("return window.__xss") is None
    assert driver.find_elements(By.CSS_SELECTOR, "main img, main b, main script") == []


def test_html_in_outputs_prompts_and_names_is_shown_as_text(xss_run, serve, browser, screenshots) -> None:
    url = serve(xss_run)
    load(browser, url + "?view=samples")
    _nothing_ran(browser)
    assert browser.find_element(By.CSS_SELECTOR, "#samples tbody td.snippet").get_attribute("textContent") == XSS
    after(browser, browser.find_element(By.CSS_SELECTOR, "#samples tbody tr.sample td a").click)
    _nothing_ran(browser)
    assert browser.find_element(By.ID, "output").get_attribute("textContent") == XSS
    assert browser.find_element(By.ID, "prompt").get_attribute("textContent").startswith(XSS)
    assert "<b onmouseover=alert(1)>dummy</b>" in browser.find_element(By.TAG_NAME, "h1").text
    load(browser, url)
    _nothing_ran(browser)
    screenshots(browser, "xss-sample")
    assert console_errors(browser) == []


def test_exported_file_opens_from_disk_and_loads_nothing(run_dir, xss_run, tmp_path, browser, screenshots) -> None:
    report = tmp_path / "report.html"
    assert main(["view", str(run_dir), str(xss_run), "--export", str(report), "--export-samples", "10"]) == 0
    browser.get_log("performance")  # forget what earlier tests loaded
    assert load(browser, report.as_uri()) == "overview"
    assert browser.find_elements(By.CSS_SELECTOR, "#summary td.cell")
    _nothing_ran(browser)
    screenshots(browser, "export-overview")
    after(browser, browser.find_element(By.LINK_TEXT, "Samples").click)
    assert count_text(browser) == "10 of 10 samples"
    outcomes = [badge.text for badge in browser.find_elements(By.CSS_SELECTOR, "#samples .badge")]
    assert outcomes == ["wrong"] * 10  # the wrong ones first
    after(browser, browser.find_element(By.CSS_SELECTOR, "#samples tbody tr.sample td a").click)
    assert browser.find_elements(By.CSS_SELECTOR, "#elements td")
    _nothing_ran(browser)
    requested = [json.loads(entry["message"])["message"] for entry in browser.get_log("performance")]
    urls = [m["params"]["request"]["url"] for m in requested if m["method"] == "Network.requestWillBeSent"]
    assert urls and all(url.startswith(("file:", "data:")) for url in urls), urls
    assert console_errors(browser) == []


@pytest.fixture(autouse=True)
def _fresh_page(browser):
    """Each test starts from a blank page, with the console of the last one read away."""
    browser.get("about:blank")
    browser.get_log("browser")
