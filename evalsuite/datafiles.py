"""Record files: JSONL or Parquet, written under a temporary name and renamed when complete."""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from evalsuite.errors import EvalsuiteError

PARQUET_BATCH = 5_000


def is_parquet(path: str | Path) -> bool:
    return str(path).endswith(".parquet")


def _require_pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise EvalsuiteError(
            "Parquet needs pyarrow: pip install 'evalsuite[parquet]' (or write .jsonl)"
        ) from None
    return pyarrow


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside `path`, renamed onto it only if the block completes."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise EvalsuiteError(f"cannot write {target}: directory {directory} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    except OSError as error:
        raise EvalsuiteError(f"cannot write {target}: {error.strerror}") from None
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_records(records: Iterable[dict], path: str | Path) -> int:
    """Write dict records to JSONL (or Parquet for `.parquet`); return how many were written."""
    if is_parquet(path):
        _require_pyarrow()
    with atomic_path(path) as temporary:
        if is_parquet(path):
            return _write_parquet(records, temporary)
        return _write_jsonl(records, temporary)


def _write_jsonl(records: Iterable[dict], path: Path) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def _write_parquet(records: Iterable[dict], path: Path) -> int:
    pyarrow = _require_pyarrow()
    writer = None
    count = 0
    batch: list[dict] = []

    def flush() -> None:
        nonlocal writer
        table = pyarrow.Table.from_pylist(batch)
        if writer is None:
            writer = pyarrow.parquet.ParquetWriter(str(path), table.schema)
        writer.write_table(table)
        batch.clear()

    try:
        for record in records:
            batch.append(record)
            count += 1
            if len(batch) >= PARQUET_BATCH:
                flush()
        if batch:
            flush()
        elif writer is None:  # no records at all: still a valid, empty Parquet file
            pyarrow.parquet.write_table(pyarrow.table({}), str(path))
    finally:
        if writer is not None:
            writer.close()
    return count


def read_records(path: str | Path) -> Iterator[dict]:
    """Records of a JSONL or Parquet file; a malformed JSONL line names its line number."""
    source = Path(path)
    if not source.is_file():
        raise EvalsuiteError(f"no such file: {source}")
    if is_parquet(source):
        pyarrow = _require_pyarrow()
        for batch in pyarrow.parquet.ParquetFile(str(source)).iter_batches():
            yield from batch.to_pylist()
        return
    with open(source, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise EvalsuiteError(f"{source}:{number}: not valid JSON ({error.msg})") from None
            if not isinstance(record, dict):
                raise EvalsuiteError(f"{source}:{number}: expected a JSON object")
            yield record
