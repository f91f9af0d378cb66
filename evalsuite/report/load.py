"""Run directories and scored files → one pandas DataFrame, one row per sample."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from evalsuite.datafiles import read_records
from evalsuite.errors import EvalsuiteError

SAMPLES_FILE = "samples.jsonl"
MANIFEST_FILE = "manifest.json"
CONFIG_COLUMNS = ("model", "style", "shots", "mode", "layout")


def _read_table(path: Path) -> pd.DataFrame:
    """A JSONL or Parquet file as a DataFrame, by the fastest reader that can take it."""
    try:
        import pyarrow.json
        import pyarrow.parquet

        if path.suffix == ".parquet":
            return pyarrow.parquet.read_table(str(path)).to_pandas()
        options = pyarrow.json.ReadOptions(block_size=1 << 26)  # one schema over big blocks
        return pyarrow.json.read_json(str(path), read_options=options).to_pandas()
    except ImportError:
        pass
    except Exception:  # mixed types pyarrow cannot unify, or a malformed line: read line by line
        pass
    # The line reader names the line of any malformed record.
    return pd.DataFrame(list(read_records(path)))


def _frame_of(path: Path) -> tuple[pd.DataFrame, str]:
    if path.is_dir():
        samples = path / SAMPLES_FILE
        if not samples.is_file():
            raise EvalsuiteError(f"{path} is not a run directory: it has no {SAMPLES_FILE}")
        return _read_table(samples), path.name
    return _read_table(path), path.stem


def load_results(paths: Iterable[str | Path]) -> pd.DataFrame:
    """Samples of run directories (their samples.jsonl) or scored JSONL/Parquet files.

    Rows keep every field; `source` names where each came from. Missing `algo_name` is
    read from the question's first line; missing configuration columns are filled from the
    file name so that files still compare side by side. Rows that share an item, a
    configuration and a sample index (the same shard loaded twice) are kept once.
    """
    frames = []
    for path in map(Path, paths):
        if not path.exists():
            raise EvalsuiteError(f"no such run directory or file: {path}")
        frame, name = _frame_of(path)
        frame["source"] = name
        frames.append(frame)
    if not frames:
        raise EvalsuiteError("give at least one run directory or scored file")
    data = pd.concat(frames, ignore_index=True)
    if "algo_name" not in data and "question" in data:
        data["algo_name"] = data["question"].str.split(":\n", n=1).str[0]
    for column in CONFIG_COLUMNS:
        if column not in data:
            data[column] = data["source"] if column == "model" else None
    identity = [c for c in ("item_id", *CONFIG_COLUMNS, "sample_index") if c in data]
    if "item_id" in data:
        data = data.drop_duplicates(subset=identity, keep="last", ignore_index=True)
    return data


def row_codes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """One integer per row, equal for rows equal in `columns` (missing values alike)."""
    codes = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        column_codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        codes = pd.factorize(codes * len(uniques) + column_codes)[0]
    return codes


def read_manifest(run_dir: str | Path) -> dict:
    path = Path(run_dir) / MANIFEST_FILE
    return json.loads(path.read_text()) if path.is_file() else {}
