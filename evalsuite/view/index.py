"""The index of one run's samples.jsonl: built once, kept beside it as samples.idx, and
brought up to date by reading only what was appended since.

The index remembers how many bytes of the file it covers, the file's inode, and digests of
the first 64 KiB and the last 4 KiB it covers. A file that grew past those bytes unchanged
is read from where the index stops; a file rewritten in place (a resumed run drops its
failed lines) or shorter is indexed again from the start. A torn last line (a run still
writing) is left for the next look.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import repeat
from pathlib import Path

import numpy as np

from evalsuite.datafiles import atomic_path
from evalsuite.errors import EvalsuiteError
from evalsuite.progress import ProgressBar
from evalsuite.view.lines import FLAG, NUMBER, TEXT, IndexedLines, concatenate, parse_block

SAMPLES_FILE = "samples.jsonl"
INDEX_FILE = "samples.idx"
FORMAT = 2
BLOCK_BYTES = 32 << 20
# A big run that grows (one being written) is stored again only after it grew by 5%: the
# next start reads the rest of the file, which costs less than rewriting the index each time.
STORE_ALWAYS_BYTES, STORE_GROWTH = 64 << 20, 0.05
PARALLEL_BYTES, MAX_WORKERS = 64 << 20, 8  # beyond this much to read, blocks go to threads
HEAD_BYTES, TAIL_BYTES = 1 << 16, 1 << 12
MIB = 1 << 20


def line_blocks(data, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of blocks of about BLOCK_BYTES of whole lines in data[start:end]; a torn
    last line is left out."""
    blocks, position = [], start
    while position < end:
        stop = data.rfind(b"\n", position, min(end, position + BLOCK_BYTES)) + 1
        if not stop:  # a line longer than a block, or the torn end
            stop = data.find(b"\n", position, end) + 1
            if not stop:
                break
        blocks.append((position, stop))
        position = stop
    return blocks


def warn_on_stderr(message: str) -> None:
    print(f"evalsuite: warning: {message}", file=sys.stderr)


class SampleIndex:
    """The indexed lines of `directory`/samples.jsonl; `refresh()` keeps them current."""

    def __init__(self, directory: str | Path, use_arrow: bool = True, warn: Callable[[str], None] = warn_on_stderr) -> None:
        self.directory = Path(directory)
        self.samples_path = self.directory / SAMPLES_FILE
        self.index_path = self.directory / INDEX_FILE
        self.use_arrow = use_arrow
        self.warn = warn
        self.lines = IndexedLines.empty()
        self.covered = 0
        self._inode: int | None = None
        self._digests: tuple[str, str] = ("", "")
        self._seen: tuple | None = None
        self._loaded = False
        self._writable = True
        self._stored = 0  # bytes of the file that the stored index covers

    def refresh(self) -> bool:
        """Index whatever the file gained since the last look; True when the lines changed."""
        try:
            stat = self.samples_path.stat()
        except OSError as error:
            raise EvalsuiteError(f"cannot read {self.samples_path}: {error.strerror}") from None
        seen = (stat.st_size, stat.st_ino, stat.st_mtime_ns)
        if seen == self._seen:
            return False
        self._seen = seen
        changed = False
        if not self._loaded:
            self._loaded = True
            self._load_stored()
        if not self._covers_a_prefix(stat):
            self.lines, self.covered, changed = IndexedLines.empty(), 0, self.covered > 0
            self._stored = 0
        if stat.st_size > self.covered:
            new, covered = self._read(self.covered, stat.st_size)
            if covered > self.covered:
                self.lines = concatenate([self.lines, new])
                self.covered, self._inode, changed = covered, stat.st_ino, True
                self._digests = self._digest(self.covered)
                if self.covered < STORE_ALWAYS_BYTES or self.covered - self._stored >= self.covered * STORE_GROWTH:
                    self._store()
        return changed

    def read_line(self, row: int) -> bytes:
        """The bytes of indexed line `row` (without its newline)."""
        start, length = int(self.lines.starts[row]), int(self.lines.lengths[row])
        with open(self.samples_path, "rb") as file:
            return os.pread(file.fileno(), length, start)

    def _covers_a_prefix(self, stat: os.stat_result) -> bool:
        if self.covered == 0:
            return True
        if stat.st_ino != self._inode or stat.st_size < self.covered:
            return False
        return self._digest(self.covered) == self._digests

    def _digest(self, covered: int) -> tuple[str, str]:
        with open(self.samples_path, "rb") as file:
            head = os.pread(file.fileno(), min(HEAD_BYTES, covered), 0)
            tail_start = max(0, covered - TAIL_BYTES)
            tail = os.pread(file.fileno(), covered - tail_start, tail_start)
        return hashlib.sha256(head).hexdigest(), hashlib.sha256(tail).hexdigest()

    def _read(self, start: int, end: int) -> tuple[IndexedLines, int]:
        """Parse the whole lines in bytes [start, end); return them and where they stop.
        Much to read is shared out between threads, a block of lines each (pyarrow parses
        without holding the interpreter lock)."""
        with open(self.samples_path, "rb") as file, mmap.mmap(file.fileno(), end, access=mmap.ACCESS_READ) as data:
            blocks = line_blocks(data, start, end)
            workers = min(os.cpu_count() or 1, MAX_WORKERS) if end - start > PARALLEL_BYTES else 1
            progress = ProgressBar(max(1, (end - start) // MIB), label=f"index {self.directory.name}", unit="MiB",
                                   enabled=None if end - start > 64 * MIB else False)
            if workers > 1 and len(blocks) > 1:
                pool = ThreadPoolExecutor(workers)
                parsed = pool.map(parse_block, repeat(data), *zip(*blocks), repeat(self.use_arrow))
            else:
                pool, parsed = None, (parse_block(data, a, b, self.use_arrow) for a, b in blocks)
            parts = []
            try:
                with progress:
                    for (a, b), part in zip(blocks, parsed):
                        parts.append(part)
                        progress.update((b - a) // MIB)
            finally:
                if pool is not None:
                    pool.shutdown(cancel_futures=True)
        lines = concatenate(parts)
        if lines.skipped:
            self.warn(f"{self.samples_path}: skipped {lines.skipped} lines that are not JSON records")
        return lines, blocks[-1][1] if blocks else start

    def _load_stored(self) -> None:
        """Take the stored index if it was written by this format; otherwise start afresh."""
        if not self.index_path.is_file():
            return
        try:
            with np.load(self.index_path, allow_pickle=False) as stored:
                meta = json.loads(str(stored["meta"]))
                if meta.get("format") != FORMAT:
                    return
                lines = IndexedLines(
                    stored["starts"], stored["lengths"], stored["identity"],
                    {name: stored[f"code:{name}"] for name in TEXT},
                    {name: stored[f"values:{name}"].tolist() for name in TEXT},
                    {name: stored[f"number:{name}"] for name in NUMBER},
                    {name: stored[f"flag:{name}"] for name in FLAG},
                    stored["search_offsets"], stored["search_text"].tobytes(),
                )
        except (OSError, ValueError, KeyError, EOFError) as error:  # damaged or foreign: rebuild
            self.warn(f"{self.index_path}: ignored ({error}); indexing again")
            return
        self.lines, self.covered = lines, int(meta["covered"])
        self._stored = self.covered
        self._inode, self._digests = int(meta["inode"]), tuple(meta["digests"])

    def _store(self) -> None:
        if not self._writable:
            return
        lines = self.lines
        arrays = {
            "starts": lines.starts, "lengths": lines.lengths, "identity": lines.identity,
            "search_offsets": lines.search_offsets, "search_text": np.frombuffer(lines.search_text, np.uint8),
            **{f"code:{name}": lines.codes[name] for name in TEXT},
            **{f"values:{name}": np.array(lines.values[name], dtype=str) for name in TEXT},
            **{f"number:{name}": lines.numbers[name] for name in NUMBER},
            **{f"flag:{name}": lines.flags[name] for name in FLAG},
            "meta": np.array(json.dumps({"format": FORMAT, "covered": self.covered, "inode": self._inode,
                                         "digests": list(self._digests)})),
        }
        try:
            with atomic_path(self.index_path) as temporary, open(temporary, "wb") as out:
                np.savez(out, **arrays)
            self._stored = self.covered
        except (OSError, EvalsuiteError) as error:
            self._writable = False
            self.warn(f"cannot keep the index beside the run ({error}); it is kept in memory only")
