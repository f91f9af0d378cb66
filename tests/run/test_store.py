"""The run directory's samples.jsonl: what a resumed run counts as done, and what it keeps."""

from __future__ import annotations

import json

from evalsuite.run.store import RunStore


def lines(*records: dict) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def test_failed_lines_and_a_torn_last_line_are_dropped_so_they_run_again(tmp_path):
    store = RunStore(tmp_path)
    good = {"key": "a", "error": None, "output": "1"}
    text = lines(good, {"key": "b", "error": "rate_limit: 429"}, {"key": "c", "error": None}) + '{"key": "d", "err'
    store.samples_path.write_text(text)
    assert store.completed() == {"a", "c"}
    kept = [json.loads(line) for line in store.samples_path.read_text().splitlines()]
    assert [record["key"] for record in kept] == ["a", "c"] and kept[0] == good


def test_a_key_that_failed_after_it_had_succeeded_runs_again(tmp_path):
    store = RunStore(tmp_path)
    store.samples_path.write_text(lines({"key": "a", "error": None}, {"key": "a", "error": "timeout"}))
    assert store.completed() == set()
    assert store.samples_path.read_text() == ""


def test_a_key_written_twice_is_kept_once(tmp_path):
    store = RunStore(tmp_path)
    store.samples_path.write_text(lines({"key": "a", "error": None, "n": 1}, {"key": "a", "error": None, "n": 2}))
    assert store.completed() == {"a"}
    assert [json.loads(line)["n"] for line in store.samples_path.read_text().splitlines()] == [2]


def test_a_clean_file_is_left_untouched(tmp_path):
    store = RunStore(tmp_path)
    store.samples_path.write_text(lines({"key": "a", "error": None}, {"key": "b", "error": None}))
    before = store.samples_path.stat().st_mtime_ns
    assert store.completed() == {"a", "b"}
    assert store.samples_path.stat().st_mtime_ns == before
