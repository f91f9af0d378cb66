"""The index of samples.jsonl: the same columns by either parser, kept beside the run,
extended by what is appended, rebuilt when the file is rewritten, and never wrong about a
line still being written."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from view_runs import records

import evalsuite.view.index as index_module
from evalsuite.view.index import INDEX_FILE, SampleIndex
from evalsuite.view.lines import FLAG, NUMBER, TEXT, parse_block


@pytest.fixture
def run(tmp_path: Path, run_dir: Path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy, ignore=shutil.ignore_patterns(INDEX_FILE))
    return copy


def parsed_ranges(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Record the byte ranges the index parses from now on."""
    seen: list[tuple[int, int]] = []
    real = index_module.parse_block

    def spy(data, start, end, use_arrow=True):
        seen.append((start, end))
        return real(data, start, end, use_arrow)

    monkeypatch.setattr(index_module, "parse_block", spy)
    return seen


def test_both_parsers_give_the_same_columns(run: Path) -> None:
    data = (run / "samples.jsonl").read_bytes()
    fast, slow = parse_block(data, 0, len(data), use_arrow=True), parse_block(data, 0, len(data), use_arrow=False)
    rows = records(run)
    assert len(fast) == len(slow) == len(rows) == 48
    for name in TEXT:
        assert list(fast.text(name)) == list(slow.text(name))
    assert list(fast.text("model")) == [row["model"] for row in rows]
    for name in NUMBER:
        assert np.array_equal(fast.numbers[name], slow.numbers[name], equal_nan=True), name
    for name in FLAG:
        assert np.array_equal(fast.flags[name], slow.flags[name]), name
    assert list(fast.flags["exact_flexible"]) == [int(row["exact_flexible"]) for row in rows]
    for attribute in ("starts", "lengths", "identity", "search_offsets", "search_text"):
        assert np.array_equal(getattr(fast, attribute), getattr(slow, attribute)), attribute
    outputs = [fast.search_text[a:b].decode() for a, b in zip(fast.search_offsets, fast.search_offsets[1:])]
    assert outputs == [row["output"].lower() for row in rows]
    assert len(set(fast.identity)) == 48


def test_each_line_is_found_again_by_its_offset(run: Path) -> None:
    index = SampleIndex(run)
    index.refresh()
    assert [json.loads(index.read_line(row)) for row in range(len(index.lines))] == records(run)


def test_the_index_is_kept_beside_the_run_and_read_back_without_parsing(run: Path, monkeypatch) -> None:
    SampleIndex(run).refresh()
    assert (run / INDEX_FILE).is_file()
    ranges = parsed_ranges(monkeypatch)
    again = SampleIndex(run)
    again.refresh()
    assert ranges == [] and len(again.lines) == 48 and again.covered == (run / "samples.jsonl").stat().st_size


def test_appended_lines_are_read_alone_and_a_torn_line_waits(run: Path, monkeypatch) -> None:
    samples = run / "samples.jsonl"
    SampleIndex(run).refresh()
    size = samples.stat().st_size
    extra = {**records(run)[0], "item_id": "new/0", "output": "appended"}
    line = json.dumps(extra).encode()
    with open(samples, "ab") as out:
        out.write(line[:40])  # a run still writing
    ranges = parsed_ranges(monkeypatch)
    index = SampleIndex(run)
    index.refresh()
    assert len(index.lines) == 48 and index.covered == size
    with open(samples, "ab") as out:
        out.write(line[40:] + b"\n")
    assert index.refresh()
    assert len(index.lines) == 49 and index.covered == samples.stat().st_size
    assert ranges == [(size, samples.stat().st_size)]  # only the new line was parsed
    assert json.loads(index.read_line(48))["output"] == "appended"
    reread = SampleIndex(run)  # from the stored index, which now covers 49 lines
    reread.refresh()
    assert len(reread.lines) == 49 and ranges == [(size, samples.stat().st_size)]


def test_a_rewritten_file_is_indexed_again_from_the_start(run: Path, monkeypatch) -> None:
    index = SampleIndex(run)
    index.refresh()
    rows = records(run)
    temporary = run / "samples.jsonl.part"  # as a resumed run rewrites it: a new file, renamed
    temporary.write_text("".join(json.dumps(row) + "\n" for row in rows[5:]) + json.dumps(rows[0]) + "\n")
    os.replace(temporary, run / "samples.jsonl")
    ranges = parsed_ranges(monkeypatch)
    assert index.refresh()
    assert ranges[0][0] == 0 and len(index.lines) == 44
    assert json.loads(index.read_line(43)) == rows[0]


def test_lines_that_are_not_records_are_skipped_and_counted(tmp_path: Path) -> None:
    (tmp_path / "samples.jsonl").write_text('{"model": "m", "output": "x"}\nnot json\n\n   \n[1, 2]\n{"model": "n"}\n')
    warnings: list[str] = []
    index = SampleIndex(tmp_path, warn=warnings.append)
    index.refresh()
    assert list(index.lines.text("model")) == ["m", "n"]
    assert len(warnings) == 1 and "skipped 2 lines" in warnings[0]


def test_an_index_that_cannot_be_written_is_kept_in_memory(run: Path) -> None:
    (run / INDEX_FILE).mkdir()  # in the way of the file, for any user (root included)
    warnings: list[str] = []
    index = SampleIndex(run, warn=warnings.append)
    index.refresh()
    assert len(index.lines) == 48 and (run / INDEX_FILE).is_dir()
    assert len(warnings) == 1 and "kept in memory only" in warnings[0]
    with open(run / "samples.jsonl", "a") as out:
        out.write(json.dumps(records(run)[0] | {"item_id": "more"}) + "\n")
    assert index.refresh() and len(index.lines) == 49 and len(warnings) == 1  # said once


def test_a_damaged_index_is_ignored(run: Path) -> None:
    (run / INDEX_FILE).write_bytes(b"not an index")
    warnings: list[str] = []
    index = SampleIndex(run, warn=warnings.append)
    index.refresh()
    assert len(index.lines) == 48 and "indexing again" in warnings[0]


def test_blocks_read_by_several_threads_give_the_same_index(run: Path, monkeypatch) -> None:
    alone = SampleIndex(run)
    alone.refresh()
    (run / INDEX_FILE).unlink()
    monkeypatch.setattr(index_module, "BLOCK_BYTES", 4096)  # many blocks of a few lines
    monkeypatch.setattr(index_module, "PARALLEL_BYTES", 0)
    ranges = parsed_ranges(monkeypatch)
    shared = SampleIndex(run)
    shared.refresh()
    assert len(ranges) > 10
    for attribute in ("starts", "lengths", "identity", "search_offsets"):
        assert np.array_equal(getattr(shared.lines, attribute), getattr(alone.lines, attribute))
    assert shared.lines.search_text == alone.lines.search_text
    for name in TEXT:
        assert list(shared.lines.text(name)) == list(alone.lines.text(name))


def test_a_big_run_that_grows_a_little_is_not_stored_again(run: Path, monkeypatch) -> None:
    monkeypatch.setattr(index_module, "STORE_ALWAYS_BYTES", 0)  # as if the run were big
    index = SampleIndex(run)
    index.refresh()
    stored = (run / INDEX_FILE).read_bytes()
    with open(run / "samples.jsonl", "a") as out:  # one line more: under 5% growth
        out.write(json.dumps(records(run)[0] | {"item_id": "one more"}) + "\n")
    assert index.refresh() and len(index.lines) == 49
    assert (run / INDEX_FILE).read_bytes() == stored
    ranges = parsed_ranges(monkeypatch)
    later = SampleIndex(run)  # reads the stored 48 lines and parses the one after them
    later.refresh()
    assert len(later.lines) == 49 and len(ranges) == 1
    with open(run / "samples.jsonl", "a") as out:  # many more: stored again
        out.writelines(json.dumps(row | {"item_id": f"more {i}"}) + "\n" for i, row in enumerate(records(run)[:10]))
    assert later.refresh() and (run / INDEX_FILE).read_bytes() != stored


def test_a_file_holding_only_a_torn_line_has_no_lines_yet(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(index_module, "PARALLEL_BYTES", 0)  # the threaded path too
    (tmp_path / "samples.jsonl").write_text('{"model": "m", "output": "still being writ')
    index = SampleIndex(tmp_path)
    assert index.refresh() is False and len(index.lines) == 0 and index.covered == 0
    with open(tmp_path / "samples.jsonl", "a") as out:
        out.write('ten"}\n')
    assert index.refresh() and list(index.lines.text("model")) == ["m"]
