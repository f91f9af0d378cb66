"""Lines of samples.jsonl → the columns the viewer filters, sorts and summarises by.

One block of complete lines becomes an `IndexedLines`: where each line starts and how long
it is, a hash of its item and configuration (to keep a sample given twice once), the text, number and flag
columns below, and the lower-cased outputs laid end to end for text search. pyarrow parses
a block when it is installed (about five times faster); otherwise, or when a block has a
line pyarrow refuses, each line is read with `json.loads`, and unreadable lines are skipped
and counted.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

TEXT = ("model", "algo_name", "task", "variant", "style", "mode", "layout", "failure", "error", "finish_reason")
NUMBER = ("length", "shots", "elementwise", "trace_prefix", "abs_error", "first_wrong_step", "predicted",
          "latency_s", "input_tokens", "output_tokens", "cost_usd")
FLAG = ("exact_flexible", "exact_strict", "parsed", "cached")
IDENTITY = ("model", "style", "mode", "layout")  # with item_id and shots
NO_KEY = np.uint64(0)  # the identity of a line without an item_id: never a duplicate


@dataclass
class IndexedLines:
    """Columns of a run of lines. Text columns are codes into `values` (-1: missing), numbers
    are float64 (NaN: missing), flags int8 (1, 0, -1: missing). `error` holds the error's
    cause (the part before the first colon). `search_offsets[i]:search_offsets[i + 1]` is
    line i's output, lower-cased (ASCII), in `search_text`."""

    starts: np.ndarray
    lengths: np.ndarray
    identity: np.ndarray
    codes: dict[str, np.ndarray]
    values: dict[str, list[str]]
    numbers: dict[str, np.ndarray]
    flags: dict[str, np.ndarray]
    search_offsets: np.ndarray
    search_text: bytes
    skipped: int = 0

    def __len__(self) -> int:
        return len(self.starts)

    @classmethod
    def empty(cls) -> IndexedLines:
        return cls(
            np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.uint64),
            {name: np.zeros(0, np.int32) for name in TEXT}, {name: [] for name in TEXT},
            {name: np.zeros(0, np.float64) for name in NUMBER}, {name: np.zeros(0, np.int8) for name in FLAG},
            np.zeros(1, np.int64), b"",
        )

    def text(self, name: str) -> np.ndarray:
        """A text column as an object array (None where missing)."""
        values = np.array([*self.values[name], None], dtype=object)
        return values[self.codes[name]]


def concatenate(parts: list[IndexedLines]) -> IndexedLines:
    """One IndexedLines of several, in order; text codes re-mapped onto merged values."""
    parts = [part for part in parts if len(part)] or [IndexedLines.empty()]
    if len(parts) == 1:
        return parts[0]
    codes, values = {}, {}
    for name in TEXT:
        merged: dict[str, int] = {}
        remapped = []
        for part in parts:
            lookup = np.array([merged.setdefault(value, len(merged)) for value in part.values[name]] + [-1], np.int32)
            remapped.append(lookup[part.codes[name]])
        codes[name], values[name] = np.concatenate(remapped), list(merged)
    sizes = np.cumsum([0] + [len(part.search_text) for part in parts[:-1]])
    search_offsets = np.concatenate(
        [parts[0].search_offsets[:1]] + [part.search_offsets[1:] + shift for part, shift in zip(parts, sizes)]
    )
    return IndexedLines(
        np.concatenate([part.starts for part in parts]),
        np.concatenate([part.lengths for part in parts]),
        np.concatenate([part.identity for part in parts]),
        codes, values,
        {name: np.concatenate([part.numbers[name] for part in parts]) for name in NUMBER},
        {name: np.concatenate([part.flags[name] for part in parts]) for name in FLAG},
        search_offsets.astype(np.int64),
        b"".join(part.search_text for part in parts),
        sum(part.skipped for part in parts),
    )


def line_spans(data, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of every non-empty line in data[start:end], which ends a line."""
    newlines, find = [], data.find
    position = find(b"\n", start, end)
    while position >= 0:
        newlines.append(position)
        position = find(b"\n", position + 1, end)
    ends = np.array(newlines, np.int64)
    starts = np.concatenate([[start], ends[:-1] + 1]).astype(np.int64) if len(ends) else ends
    lengths = (ends - starts).astype(np.int32)
    return starts[lengths > 0], lengths[lengths > 0]


def identities(item_ids, codes: dict[str, np.ndarray], values: dict[str, list[str]], shots: np.ndarray) -> np.ndarray:
    """A 64-bit hash per line of what `load_results` keeps a sample once by: its item and
    configuration (item_id, model, style, shots, mode, layout). NO_KEY without an item_id."""
    item_ids = np.asarray(item_ids, dtype=object)
    present = np.fromiter((isinstance(item, str) for item in item_ids), bool, len(item_ids))
    hashed = pd.util.hash_array(np.where(present, item_ids, "")) if len(item_ids) else np.zeros(0, np.uint64)
    columns = [pd.util.hash_array(np.array([*values[name], ""], dtype=object))[codes[name]] for name in IDENTITY]
    for column in (*columns, pd.util.hash_array(shots)):
        hashed = hashed * np.uint64(0x100000001B3) ^ column  # wraps around, as a hash should
    hashed[~present] = NO_KEY
    hashed[present & (hashed == NO_KEY)] = np.uint64(1)
    return hashed


def parse_block(data, start: int, end: int, use_arrow: bool = True) -> IndexedLines:
    """The columns of the whole lines in data[start:end] (bytes or an mmap of the file)."""
    block = data[start:end]  # bytes: their find is much faster than an mmap's
    parsed = _parse_with_arrow(block, start) if use_arrow else None
    return parsed if parsed is not None else _parse_line_by_line(block, start)


def _cause(error) -> str | None:
    return error.split(":", 1)[0] if isinstance(error, str) and error else None


def _parse_line_by_line(block: bytes, base: int) -> IndexedLines:
    starts, lengths, records = [], [], []
    skipped = 0
    for begin, length in zip(*line_spans(block, 0, len(block))):
        line = block[begin:begin + length]
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            record = None
        if not isinstance(record, dict):
            skipped += int(bool(line.strip()))
            continue
        starts.append(base + begin)
        lengths.append(length)
        records.append(record)
    codes, values = {}, {}
    for name in TEXT:
        column = [_cause(r.get(name)) if name == "error" else _as_text(r.get(name)) for r in records]
        codes[name], values[name] = _encode(column)
    numbers = {name: np.array([_as_number(r.get(name)) for r in records], np.float64) for name in NUMBER}
    outputs = [(r.get("output") if isinstance(r.get("output"), str) else "").encode("utf-8", "replace").lower()
               for r in records]
    offsets = np.zeros(len(outputs) + 1, np.int64)
    offsets[1:] = np.cumsum([len(text) for text in outputs])
    return IndexedLines(
        np.array(starts, np.int64), np.array(lengths, np.int32),
        identities([r.get("item_id") for r in records], codes, values, numbers["shots"]), codes, values, numbers,
        {name: np.array([_as_flag(r.get(name)) for r in records], np.int8) for name in FLAG},
        offsets, b"".join(outputs), skipped,
    )


def _as_text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def _as_number(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)


def _as_flag(value) -> int:
    return int(value) if isinstance(value, bool) else -1


def _encode(column: list) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(pd.Series(column, dtype=object), use_na_sentinel=True)
    return codes.astype(np.int32), [str(value) for value in uniques]


def _arrow_schema(pa):
    return pa.schema(
        [(name, pa.string()) for name in (*TEXT, "item_id", "output")]
        + [(name, pa.float64()) for name in NUMBER]
        + [(name, pa.bool_()) for name in FLAG]
    )


def _parse_with_arrow(block: bytes, base: int) -> IndexedLines | None:
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.json as pj
    except ImportError:
        return None
    starts, lengths = line_spans(block, 0, len(block))
    options = pj.ParseOptions(explicit_schema=_arrow_schema(pa), unexpected_field_behavior="ignore")
    try:
        table = pj.read_json(pa.BufferReader(block), read_options=pj.ReadOptions(block_size=1 << 22),
                             parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # a malformed line or an unexpected type: read line by line
    if table.num_rows != len(starts):
        return None  # whitespace-only lines, which pyarrow skips
    codes, values = {}, {}
    for name in TEXT:
        column = table.column(name).combine_chunks()
        if name == "error":
            column = pc.list_element(pc.split_pattern(column, ":", max_splits=1), 0)
            column = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
        encoded = pc.dictionary_encode(column)
        codes[name] = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
        values[name] = encoded.dictionary.to_pylist()
    outputs = pc.ascii_lower(table.column("output").combine_chunks().fill_null(""))
    offsets = np.frombuffer(outputs.buffers()[1], np.int32)[outputs.offset:outputs.offset + len(outputs) + 1]
    data = outputs.buffers()[2]
    text = data.to_pybytes()[offsets[0]:offsets[-1]] if data is not None else b""
    numbers = {name: table.column(name).to_numpy(zero_copy_only=False).astype(np.float64) for name in NUMBER}
    item_ids = table.column("item_id").to_numpy(zero_copy_only=False)
    return IndexedLines(
        starts + base, lengths, identities(item_ids, codes, values, numbers["shots"]), codes, values, numbers,
        {name: pc.cast(table.column(name), pa.int8()).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int8)
         for name in FLAG},
        (offsets - offsets[0]).astype(np.int64), text,
    )
