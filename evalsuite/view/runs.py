"""The directories `evalsuite view` shows: runs (samples.jsonl and manifest.json) and the
over-squashing study's outputs (collapse.csv, sensitivity.csv). Their files are only read;
each run's index is kept beside it (samples.idx) when the directory can be written.
"""

from __future__ import annotations

import csv
import math
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from evalsuite.errors import EvalsuiteError
from evalsuite.report.load import read_manifest
from evalsuite.view.index import SAMPLES_FILE, SampleIndex, warn_on_stderr
from evalsuite.view.table import SampleTable

STUDY_FILES = ("collapse.csv", "sensitivity.csv")


def _names(directories: list[Path]) -> list[str]:
    """Each directory's name, with as many parent folders as it takes to tell them apart."""
    for depth in range(1, 1 + max(len(d.parts) for d in directories)):
        names = ["/".join(d.parts[-depth:]) for d in directories]
        if len(set(names)) == len(names):
            return names
    return [str(d) for d in directories]


class RunSet:
    """The viewed directories. `table()` gives the samples, brought up to date with files
    that grew; `memo` holds results computed from the current table (cleared when it
    changes). One lock serialises the work, since requests arrive on several threads."""

    def __init__(self, paths, use_arrow: bool = True, warn: Callable[[str], None] = warn_on_stderr) -> None:
        directories = list(dict.fromkeys(Path(path).resolve() for path in paths))
        if not directories:
            raise EvalsuiteError("give at least one run directory")
        for directory in directories:
            if not directory.is_dir():
                raise EvalsuiteError(f"no such run directory: {directory}")
            if not (directory / SAMPLES_FILE).is_file() and not any((directory / f).is_file() for f in STUDY_FILES):
                raise EvalsuiteError(f"{directory} is not a run directory: it has no {SAMPLES_FILE}, "
                                     f"{STUDY_FILES[0]} or {STUDY_FILES[1]}")
        self.directories = directories
        self.names = _names(directories)
        self.indexes = {
            name: SampleIndex(directory, use_arrow, warn)
            for name, directory in zip(self.names, directories) if (directory / SAMPLES_FILE).is_file()
        }
        self.lock = threading.RLock()
        self.memo: dict = {}
        self._table: SampleTable | None = None

    def table(self) -> SampleTable:
        with self.lock:
            changed = [index.refresh() for index in self.indexes.values()]
            if self._table is None or any(changed):
                self._table = SampleTable(list(self.indexes), [index.lines for index in self.indexes.values()])
                self.memo.clear()
            return self._table

    def index_list(self) -> list[SampleIndex]:
        """The runs' indexes, in the table's run order."""
        return list(self.indexes.values())

    def read_line(self, run: int, row: int) -> bytes:
        return self.index_list()[run].read_line(row)

    def manifests(self) -> list[dict]:
        """Each run's manifest, with its wall time in seconds when it says when it ran."""
        found = []
        for name, directory in zip(self.names, self.directories):
            manifest = read_manifest(directory) if name in self.indexes else {}
            if manifest:
                found.append({"run": name, "manifest": manifest, "duration_s": _duration(manifest)})
        return found

    def studies(self) -> list[dict]:
        """The collapse and sensitivity tables found, as rows of numbers and text."""
        found = []
        for name, directory in zip(self.names, self.directories):
            for file in STUDY_FILES:
                if (directory / file).is_file():
                    with open(directory / file, newline="", encoding="utf-8") as table:
                        rows = [{k: _number(v) for k, v in row.items()} for row in csv.DictReader(table)]
                    found.append({"run": name, "kind": file.removesuffix(".csv"), "rows": rows})
        return found


def _duration(manifest: dict) -> float | None:
    try:
        started = datetime.fromisoformat(manifest["started"])
        return (datetime.fromisoformat(manifest["finished"]) - started).total_seconds()
    except (KeyError, TypeError, ValueError):
        return None


def _number(text: str):
    """A CSV cell as a number or a boolean when it is one, else the text."""
    if text in ("True", "False"):
        return text == "True"
    try:
        value = float(text)
    except ValueError:
        return text
    if not math.isfinite(value):
        return text  # JSON has no NaN
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
