"""The samples table: filters, text search, sorting, the next wrong sample of a cell, and
samples given twice kept once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from view_runs import records, write_records

from evalsuite.errors import EvalsuiteError
from evalsuite.view import RunSet
from evalsuite.view.index import INDEX_FILE
from evalsuite.view.samples import sample_page, samples_page
from evalsuite.view.table import Query, rows_containing


def query(**params) -> Query:
    return Query.from_params({name: value if isinstance(value, list) else [str(value)] for name, value in params.items()})


def copy_run(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(INDEX_FILE))
    return target


@pytest.fixture
def table(run_dir: Path):
    return RunSet([run_dir]).table()


def test_filters_keep_what_they_name(table, run_dir: Path) -> None:
    rows = records(run_dir)
    assert len(table.select(Query())) == 48
    assert len(table.select(query(model="dummy/oracle"))) == 24
    assert len(table.select(query(model=["dummy/oracle", "dummy/random"]))) == 48
    assert len(table.select(query(algo_name="bfs", length=8, style="trace"))) == 4
    assert len(table.select(query(shots="1"))) == 48 and len(table.select(query(shots="2"))) == 0
    right = sum(row["exact_flexible"] for row in rows)
    assert len(table.select(query(outcome="right"))) == right
    assert len(table.select(query(outcome="wrong"))) == 48 - right
    assert len(table.select(query(outcome="failed"))) == 0
    assert len(table.select(query(model="nobody"))) == 0


def test_bad_queries_are_one_line_errors(table) -> None:
    with pytest.raises(EvalsuiteError, match="outcome must be one of right, wrong, failed"):
        query(outcome="maybe")
    with pytest.raises(EvalsuiteError, match="sort must be one of"):
        query(sort="colour")
    with pytest.raises(EvalsuiteError, match="length must be a number"):
        table.select(query(length="long"))


def test_text_search_ignores_case_and_never_spans_two_outputs(tmp_path: Path) -> None:
    rows = [{"item_id": f"i{i}", "model": "m", "output": text} for i, text in enumerate(["Sorted: [1 2]", "ab", "cd", "", "AB CD"])]
    (tmp_path / "run").mkdir()
    write_records(tmp_path / "run", rows)
    table = RunSet([tmp_path / "run"]).table()
    found = lambda text: [int(table.row[p]) for p in table.select(query(q=text))]
    assert found("sorted") == [0] and found("[1 2]") == [0]
    assert found("ab") == [1, 4] and found("b c") == [4]
    assert found("bc") == []  # "ab" then "cd": not one output
    assert found("ABCD") == [] and found("") == [0, 1, 2, 3, 4]


def test_text_search_among_a_few_rows_looks_only_at_theirs(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    write_records(tmp_path / "run", [{"item_id": str(i), "model": "m" if i % 30 else "first", "output": f"x{i}"} for i in range(90)])
    runs = RunSet([tmp_path / "run"])
    table = runs.table()
    lines = runs.index_list()[0].lines
    assert list(rows_containing(lines, "X2")) == [2, *range(20, 30)]
    assert list(rows_containing(lines, "x2", among=np.array([0, 2, 30, 60]))) == [2]
    assert list(rows_containing(lines, "x6", among=np.array([0, 30, 60]))) == [60]
    assert [int(table.row[p]) for p in table.select(query(model="first", q="X6"))] == [60]


def test_sorting_puts_missing_values_last(table) -> None:
    ascending = table.select(query(sort="elementwise"))
    values = [table.value("elementwise", p) for p in ascending]
    assert values == sorted(values)
    descending = [table.value("elementwise", p) for p in table.select(query(sort="elementwise", desc="1"))]
    assert descending == sorted(values, reverse=True)
    prefix = [table.value("trace_prefix", p) for p in table.select(query(sort="trace_prefix"))]
    assert prefix[:24] == sorted(prefix[:24]) and prefix[24:] == [None] * 24  # few-shot has none
    names = [table.value("algo_name", p) for p in table.select(query(sort="algo_name", desc="1"))]
    assert names == sorted(names, reverse=True)


def test_next_wrong_sample_is_the_next_of_its_cell(table) -> None:
    cell = list(table.select(query(model="dummy/random", algo_name="insertion_sort", length=8, style="few-shot")))
    wrong = [p for p in cell if not table.value("exact_flexible", p)]
    assert len(wrong) == 2
    assert table.next_wrong(int(wrong[0])) == wrong[1]
    assert table.next_wrong(int(wrong[1])) is None
    oracle = list(table.select(query(model="dummy/oracle", algo_name="insertion_sort", length=8, style="trace")))
    assert [table.value("exact_flexible", p) for p in oracle] == [False, True]
    assert table.next_wrong(int(oracle[0])) is None  # the only wrong one of its cell


def test_a_run_given_twice_counts_once_and_shards_merge(run_dir: Path, tmp_path: Path) -> None:
    copy = copy_run(run_dir, tmp_path / "copy")
    assert len(RunSet([run_dir, run_dir]).table()) == 48
    twice = RunSet([run_dir, copy]).table()
    assert len(twice) == 48 and set(twice.run) == {1}  # the later one kept, as load_results does
    rows = records(run_dir)
    for number, part in enumerate((rows[::2], rows[1::2])):
        (tmp_path / f"shard{number}").mkdir()
        write_records(tmp_path / f"shard{number}", part)
    shards = RunSet([tmp_path / "shard0", tmp_path / "shard1"])
    assert len(shards.table()) == 48 and shards.names == ["shard0", "shard1"]


def test_pages_read_only_their_lines_and_a_sample_has_its_neighbours(run_dir: Path) -> None:
    runs = RunSet([run_dir])
    page = samples_page(runs, query(model="dummy/oracle"), page=2, size=10)
    assert (page["total"], page["pages"], len(page["rows"])) == (24, 3, 10)
    rows = [row for row in records(run_dir) if row["model"] == "dummy/oracle"]
    assert [row["output"][:160] for row in rows[10:20]] == [row["output"].rstrip("…") for row in page["rows"]]
    assert page["facets"]["length"] == [4, 8] and page["facets"]["style"] == ["few-shot", "trace"]
    first = sample_page(runs, page["rows"][0]["id"])
    assert first["record"] == rows[10] and first["previous"] and first["next"]
    with pytest.raises(LookupError):
        sample_page(runs, "0-999")
    with pytest.raises(LookupError):
        sample_page(runs, "../../etc/passwd")
    with pytest.raises(EvalsuiteError, match="size must be 1 to 500"):
        samples_page(runs, Query(), size=10_000)


def test_failed_requests_are_their_own_outcome(tmp_path: Path, run_dir: Path) -> None:
    rows = records(run_dir)[:3]
    rows[1] |= {"error": "timeout: no answer in 120 s", "exact_flexible": None, "exact_strict": None, "parsed": None,
                "elementwise": None, "output": ""}
    (tmp_path / "run").mkdir()
    write_records(tmp_path / "run", rows)
    runs = RunSet([tmp_path / "run"])
    table = runs.table()
    assert len(table.select(query(outcome="failed"))) == 1
    assert len(table.select(query(error="timeout"))) == 1
    page = sample_page(runs, "0-1")
    assert page["outcome"] == "failed" and page["explanation"] is None
    assert json.loads(json.dumps(page))["record"]["error"].startswith("timeout")
