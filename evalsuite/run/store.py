"""The run directory: manifest.json, samples.jsonl (appended as results arrive), summary.csv.

samples.jsonl holds one line per work unit. A line is written and flushed the moment its
result is scored, so a killed run loses at most the line being written: on resume a torn
last line is cut off, failed units are dropped so they can be retried, and only what is
missing runs again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from evalsuite.errors import EvalsuiteError

MANIFEST = "manifest.json"
SAMPLES = "samples.jsonl"
SUMMARY = "summary.csv"


class RunStore:
    """Reads and appends the records of one run directory."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.samples_path = self.directory / SAMPLES
        self.manifest_path = self.directory / MANIFEST
        self._out = None

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def read_manifest(self) -> dict[str, Any]:
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise EvalsuiteError(f"{self.manifest_path}: cannot read the manifest ({error})") from None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        temporary = self.manifest_path.with_suffix(".json.part")
        temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temporary, self.manifest_path)

    def check_same_configuration(self, identity: dict[str, Any], defaults: dict[str, Any] | None = None) -> None:
        """An error naming the fields that differ when the directory holds another run.
        A field the manifest lacks (a run from before the field existed) had its default."""
        if not self.exists():
            return
        recorded = {**(defaults or {}), **self.read_manifest().get("config", {})}
        differing = [name for name, value in identity.items() if recorded.get(name) != value]
        if differing:
            details = "; ".join(f"{name}: {recorded.get(name)!r} there, {identity[name]!r} now" for name in differing)
            raise EvalsuiteError(
                f"{self.directory} holds a run with another configuration ({details}); "
                "use another --out or the same options"
            )

    def completed(self) -> set[str]:
        """The keys of the records already done, after dropping failed ones and any torn line
        (the file is read and, if needed, rewritten line by line: memory stays flat)."""
        if not self.samples_path.is_file():
            return set()
        failed: set[str] = set()
        done: set[str] = set()
        lines = torn = 0
        with open(self.samples_path, "rb") as source:
            for line in source:
                lines += 1
                record = _parse(line)
                if record is None:
                    torn += 1
                elif record.get("error"):
                    failed.add(record["key"])
                    done.discard(record["key"])
                else:
                    done.add(record["key"])
                    failed.discard(record["key"])
        if failed or torn or len(done) != lines:
            self._rewrite_keeping(done)
        return done

    def _rewrite_keeping(self, keys: set[str]) -> None:
        """Rewrite samples.jsonl with the last good line of each key in `keys`, atomically."""
        last: dict[str, int] = {}
        with open(self.samples_path, "rb") as source:
            for number, line in enumerate(source):
                record = _parse(line)
                if record is not None and not record.get("error") and record["key"] in keys:
                    last[record["key"]] = number
        wanted = set(last.values())
        temporary = self.samples_path.with_suffix(".jsonl.part")
        with open(self.samples_path, "rb") as source, open(temporary, "wb") as out:
            for number, line in enumerate(source):
                if number in wanted:
                    out.write(line)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.samples_path)

    def open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._out = open(self.samples_path, "a", encoding="utf-8")

    def append(self, record: dict) -> None:
        """Write one record and flush it to the operating system at once."""
        self._out.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._out.flush()

    def close(self) -> None:
        if self._out is not None:
            self._out.flush()
            os.fsync(self._out.fileno())
            self._out.close()
            self._out = None


def _parse(line: bytes) -> dict | None:
    """A whole JSON line, or None for a torn one (a run killed mid-line)."""
    if not line.endswith(b"\n"):
        return None
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None
