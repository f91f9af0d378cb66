"""load_results: JSONL read in chunks of whole lines, and tables without the long texts."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from evalsuite.errors import EvalsuiteError
from evalsuite.report import load, load_results


def _record(index: int) -> dict:
    """A sample line; abs_error is null in the first 40 lines and a number after them, and
    `late` only exists from line 50 on."""
    record = {
        "item_id": f"minimum/4/0/{index}", "algo_name": "minimum", "length": 4, "model": "m",
        "style": "zero-shot", "shots": 0, "mode": "completion", "layout": "single",
        "sample_index": 0, "question": f"minimum:\nkey: [{index}]\nmin:\n", "answer": "0\n\n",
        "prompt": "p" * 300, "output": f"the answer is {index}", "gold_trace": [],
        "flexible_answer": str(index % 3), "exact_flexible": index % 2 == 0,
        "abs_error": None if index < 40 else index / 4,
    }
    return {**record, "late": index} if index >= 50 else record


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    run.mkdir()
    lines = [json.dumps(_record(i)) for i in range(100)]
    (run / "samples.jsonl").write_text("\n".join(lines))  # no newline after the last line
    return run


def test_small_chunks_read_the_same_rows_as_one_chunk(samples: Path, monkeypatch) -> None:
    whole = load_results([samples])
    monkeypatch.setattr(load, "CHUNK_BYTES", 1000)  # about two lines a chunk, cut mid-line
    chunked = load_results([samples])
    pd.testing.assert_frame_equal(chunked, whole)
    # by pyarrow itself, not by the line reader it falls back on
    by_arrow = load._read_jsonl_by_chunks(samples / "samples.jsonl", texts=True)
    pd.testing.assert_frame_equal(by_arrow, whole.drop(columns="source"))
    assert len(chunked) == 100 and chunked["item_id"].is_unique
    assert chunked["abs_error"].iloc[:40].isna().all()
    assert chunked["abs_error"].iloc[40:].tolist() == [i / 4 for i in range(40, 100)]
    assert chunked["late"].iloc[:50].isna().all() and chunked["late"].iloc[50:].tolist() == list(range(50, 100))


def test_without_texts_the_scores_and_voted_answers_stay(samples: Path, monkeypatch) -> None:
    monkeypatch.setattr(load, "CHUNK_BYTES", 1000)
    full, lean = load_results([samples]), load_results([samples], texts=False)
    assert not {"prompt", "question", "answer", "output", "gold_trace"} & set(lean.columns)
    assert set(full.columns) - set(lean.columns) == {"prompt", "question", "answer", "output", "gold_trace"}
    shared = list(lean.columns)
    pd.testing.assert_frame_equal(lean, full[shared])
    assert lean["flexible_answer"].tolist() == [str(i % 3) for i in range(100)]


def test_without_texts_a_file_lacking_algo_name_keeps_its_question(tmp_path: Path) -> None:
    path = tmp_path / "scored.jsonl"
    record = {"question": "bfs:\ns: 0\npi:\n", "output": "[0]", "exact_flexible": True}
    path.write_text(json.dumps(record) + "\n")
    data = load_results([path], texts=False)
    assert data.loc[0, "algo_name"] == "bfs" and "output" not in data


def test_a_malformed_line_is_named_whatever_the_chunk(samples: Path, monkeypatch) -> None:
    monkeypatch.setattr(load, "CHUNK_BYTES", 1000)
    path = samples / "samples.jsonl"
    lines = path.read_text().splitlines()
    lines[61] = lines[61][:-5]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(EvalsuiteError, match="samples.jsonl:62: not valid JSON"):
        load_results([samples])
