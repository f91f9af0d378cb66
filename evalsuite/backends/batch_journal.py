"""The run directory's record of its batches: what was submitted where, so that a killed run
re-attaches instead of paying again.

One small JSON file per batch under `batches/`, written the moment the provider has created
the batch (before anything waits on it) and replaced atomically (write, fsync, rename) when
its results have all been read. No API key is ever written here.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

JOURNAL_DIR = "batches"


@dataclass(frozen=True)
class BatchRecord:
    """One submitted batch: its provider's id and the custom ids (cache keys) it holds.

    `round` is 0 for a first submission, n for the n-th resubmission of errored or expired
    items; `upper_bound_usd` is what it can cost at most (None without a price).
    """

    model: str  # PROVIDER/NAME
    server: str | None  # the base URL (None: the official API)
    batch_id: str
    endpoint: str
    custom_ids: tuple[str, ...]
    round: int = 0
    created: float = 0.0
    upper_bound_usd: float | None = None
    input_file_id: str | None = None
    collected: bool = False  # every result read and recorded
    cancelled: bool = False  # cancelled on request (--batch-cancel)


class BatchJournal:
    """The `batches/` folder of one run directory."""

    def __init__(self, run_directory: str | Path) -> None:
        self.directory = Path(run_directory) / JOURNAL_DIR

    def _path(self, batch_id: str) -> Path:
        return self.directory / (re.sub(r"[^A-Za-z0-9_.-]", "_", batch_id) + ".json")

    def write(self, record: BatchRecord) -> None:
        """Store `record` durably: after this returns, a kill -9 cannot lose it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self._path(record.batch_id)
        temporary = target.with_suffix(".json.part")
        document = {**asdict(record), "custom_ids": list(record.custom_ids)}
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(document, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
        _fsync_directory(self.directory)

    def created(self, record: BatchRecord) -> BatchRecord:
        """Record a batch the provider has just created, stamped with the time."""
        record = replace(record, created=time.time())
        self.write(record)
        return record

    def mark(self, record: BatchRecord, **changes: bool) -> BatchRecord:
        changed = replace(record, **changes)
        self.write(changed)
        return changed

    def records(self) -> list[BatchRecord]:
        """Every batch of the run, oldest first."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in self.directory.glob("*.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            found.append(BatchRecord(**{**data, "custom_ids": tuple(data["custom_ids"])}))
        return sorted(found, key=lambda record: (record.created, record.batch_id))

    def summary(self) -> list[dict]:
        """What the manifest says about the batches: ids, sizes, rounds, state, upper bounds."""
        return [{"model": r.model, "batch_id": r.batch_id, "endpoint": r.endpoint,
                 "requests": len(r.custom_ids), "round": r.round, "collected": r.collected,
                 "cancelled": r.cancelled, "upper_bound_usd": r.upper_bound_usd}
                for r in self.records()]


def _fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not every platform opens directories
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
