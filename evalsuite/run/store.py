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

    def check_same_configuration(self, identity: dict[str, Any]) -> None:
        """An error naming the fields that differ when the directory holds another run."""
        if not self.exists():
            return
        recorded = self.read_manifest().get("config", {})
        differing = [name for name, value in identity.items() if recorded.get(name) != value]
        if differing:
            details = "; ".join(f"{name}: {recorded.get(name)!r} there, {identity[name]!r} now" for name in differing)
            raise EvalsuiteError(
                f"{self.directory} holds a run with another configuration ({details}); "
                "use another --out or the same options"
            )

    def completed(self) -> dict[str, dict]:
        """The records already done, by key, after dropping failed ones and any torn line."""
        if not self.samples_path.is_file():
            return {}
        kept, failed, torn = {}, 0, False
        raw = self.samples_path.read_bytes()
        lines = raw.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        elif lines:
            torn = True  # killed mid-line
        for line in lines:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                torn = True
                continue
            if record.get("error"):
                failed += 1
                kept.pop(record["key"], None)
                continue
            kept[record["key"]] = record
        if failed or torn or len(kept) != len(lines):
            self._rewrite(kept.values())
        return kept

    def _rewrite(self, records) -> None:
        temporary = self.samples_path.with_suffix(".jsonl.part")
        with open(temporary, "w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
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
