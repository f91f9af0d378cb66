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
CHUNK_BYTES = 4 << 20  # JSONL is read this much at a time
# A sample's long texts: most of its bytes, and no table reads them. Tables keep
# flexible_answer (majority votes count it) and, where there is no algo_name, the question.
TEXT_COLUMNS = ("prompt", "messages", "question", "answer", "output", "gold_answer",
                "gold_trace", "strict_answer", "example_ids")


def _unread(columns: Iterable[str], texts: bool) -> set[str]:
    """The columns of a file that are left out: the texts, unless asked for (the question
    stays where it is the only record of the algorithm)."""
    columns = set(columns)
    if texts:
        return set()
    left_out = columns & set(TEXT_COLUMNS)
    return left_out if "algo_name" in columns else left_out - {"question"}


def _read_table(path: Path, texts: bool) -> pd.DataFrame:
    """A JSONL or Parquet file as a DataFrame, by the fastest reader that can take it."""
    try:
        import pyarrow.parquet

        if path.suffix == ".parquet":
            table = pyarrow.parquet.read_table(str(path))
            return table.drop_columns(sorted(_unread(table.column_names, texts))).to_pandas()
        return _read_jsonl_by_chunks(path, texts)
    except ImportError:
        pass
    except Exception:  # mixed types pyarrow cannot unify, or a malformed line: read line by line
        pass
    # The line reader names the line of any malformed record.
    rows = []
    for record in read_records(path):
        for column in _unread(record, texts):
            del record[column]
        rows.append(record)
    return pd.DataFrame(rows)


def _read_jsonl_by_chunks(path: Path, texts: bool) -> pd.DataFrame:
    """A JSONL file through pyarrow, CHUNK_BYTES of whole lines at a time, each chunk's
    texts left out before the next is read: the memory this takes stays that of one chunk
    and the columns kept, whatever the file's size. Arrow's buffers come from the system
    allocator, which gives them back when freed (its default pool keeps them)."""
    import pyarrow
    import pyarrow.json

    pool = pyarrow.system_memory_pool()
    tables = []
    with path.open("rb") as file:
        rest = b""
        while block := file.read(CHUNK_BYTES):
            data = rest + block
            cut = data.rfind(b"\n") + 1
            data, rest = data[:cut], data[cut:]
            if data.strip():
                tables.append(_chunk_table(data, texts, pool))
        if rest.strip():
            tables.append(_chunk_table(rest, texts, pool))
    if not tables:
        return pd.DataFrame()
    # A column all null in one chunk and a number in another is a number; one a chunk
    # lacks is null there.
    table = pyarrow.concat_tables(tables, promote_options="permissive", memory_pool=pool)
    return table.to_pandas(memory_pool=pool)


def _chunk_table(data: bytes, texts: bool, pool):
    import pyarrow
    import pyarrow.json

    options = pyarrow.json.ReadOptions(block_size=max(len(data), 1 << 20))  # one schema per chunk
    table = pyarrow.json.read_json(pyarrow.BufferReader(data), read_options=options, memory_pool=pool)
    return table.drop_columns(sorted(_unread(table.column_names, texts)))


def _frame_of(path: Path, texts: bool) -> tuple[pd.DataFrame, str]:
    if path.is_dir():
        samples = path / SAMPLES_FILE
        if not samples.is_file():
            raise EvalsuiteError(f"{path} is not a run directory: it has no {SAMPLES_FILE}")
        return _read_table(samples, texts), path.name
    return _read_table(path, texts), path.stem


def load_results(paths: Iterable[str | Path], *, texts: bool = True) -> pd.DataFrame:
    """Samples of run directories (their samples.jsonl) or scored JSONL/Parquet files.

    Rows keep every field (with `texts=False`, all but the long texts of TEXT_COLUMNS: what
    tables and plots need, in a fraction of the memory); `source` names where each came
    from. Missing `algo_name` is read from the question's first line; missing configuration
    columns are filled from the file name so that files still compare side by side. Rows that share an item, a
    configuration and a sample index (the same shard loaded twice) are kept once.
    """
    frames = []
    for path in map(Path, paths):
        if not path.exists():
            raise EvalsuiteError(f"no such run directory or file: {path}")
        frame, name = _frame_of(path, texts)
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
