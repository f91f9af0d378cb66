"""A progress bar on stderr when it is a terminal, silent otherwise."""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class ProgressBar:
    """`done/total`, rate and ETA, plus any extra figures a caller wants shown.

    Redraws at most ten times a second; draws nothing when the stream is not a terminal.
    """

    def __init__(
        self,
        total: int,
        label: str = "",
        unit: str = "it",
        stream: TextIO | None = None,
        extra: Callable[[], str] | None = None,
        enabled: bool | None = None,
    ) -> None:
        self.total = total
        self.label = label
        self.unit = unit
        self.stream = stream or sys.stderr
        self.extra = extra
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.done = 0
        self._start = time.monotonic()
        self._last_draw = 0.0

    def update(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self.enabled and (now - self._last_draw > 0.1 or self.done >= self.total):
            self._last_draw = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self._start, 1e-9)
        rate = self.done / elapsed
        fraction = self.done / self.total if self.total else 1.0
        filled = int(24 * min(fraction, 1.0))
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        extra = f" {self.extra()}" if self.extra else ""
        line = (
            f"\r{self.label} [{'#' * filled}{'.' * (24 - filled)}] {self.done}/{self.total}"
            f" {rate:.1f} {self.unit}/s ETA {_duration(eta)}{extra}"
        )
        self.stream.write(line + "\033[K")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
