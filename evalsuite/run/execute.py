"""Work units → completions → scores → records, appended as each result arrives."""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from evalsuite.backends import BackendOptions, load_backend
from evalsuite.backends.base import Completion
from evalsuite.backends.failures import cause_of, is_deterministic, is_over_context
from evalsuite.errors import EvalsuiteError
from evalsuite.progress import ProgressBar
from evalsuite.run.config import RunConfig
from evalsuite.run.plan import WorkUnit
from evalsuite.run.store import RunStore
from evalsuite.scoring.score import SCORE_FIELDS


@dataclass
class Totals:
    """What the run spent and how it went."""

    requests: int = 0
    cached: int = 0
    failed: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    right: int = 0
    batch_requests: int = 0  # answered through a provider's batch API (--batch)
    batch_cost_usd: float = 0.0
    failures: Counter = field(default_factory=Counter)
    rejected: int = 0  # failures a re-run meets again (of them, over_context: too long)
    over_context: int = 0

    @property
    def retryable(self) -> int:
        """Failed samples that a re-run may complete (timeouts, rate limits, server errors)."""
        return self.failed - self.rejected

    def add(self, completion: Completion, right: bool) -> None:
        self.requests += 1
        self.cached += completion.cached
        self.input_tokens += completion.input_tokens or 0
        self.output_tokens += completion.output_tokens or 0
        if not completion.cached:  # a cached answer was paid for by an earlier run
            self.cost_usd += completion.cost_usd or 0.0
            if completion.batch_id is not None:
                self.batch_requests += 1
                self.batch_cost_usd += completion.cost_usd or 0.0
        if completion.error:
            self.failed += 1
            self.failures[cause_of(completion.error)] += 1
            self.rejected += is_deterministic(completion.error)
            self.over_context += is_over_context(completion.error)
        self.right += right

    def to_manifest(self) -> dict:
        values = asdict(self)
        values["failures"] = dict(self.failures)
        values.pop("right")
        return values


def backend_options(config: RunConfig, run_directory: Path | None = None) -> BackendOptions:
    from evalsuite.backends.cache import default_cache_path

    cache = None if config.cache in (None, "", "none") else (
        default_cache_path() if config.cache == "default" else Path(config.cache)
    )
    return BackendOptions(cache=cache, engines=config.engines, run_directory=run_directory)


def check_reachable(base_url: str | None, timeout: float = 5.0) -> None:
    """Fail before sending anything when the server behind --base-url does not answer."""
    if not base_url:
        return
    parts = urlsplit(base_url)
    if not parts.hostname:
        raise EvalsuiteError(f"--base-url {base_url!r} is not a URL like http://127.0.0.1:8000/v1")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as error:
        raise EvalsuiteError(f"--base-url {parts.scheme}://{parts.hostname}:{port} is unreachable ({error.strerror or error})") from None


def make_record(unit: WorkUnit, completion: Completion, config: RunConfig) -> dict:
    """The samples.jsonl line of one unit: ids, configuration, prompt, output and scores."""
    record = {
        "key": unit.key, **unit.fields,
        "temperature": config.temperature, "max_tokens": unit.request.params.max_tokens,
        "output": completion.text, "finish_reason": completion.finish_reason,
        "input_tokens": completion.input_tokens, "output_tokens": completion.output_tokens,
        "latency_s": completion.latency_s, "cost_usd": completion.cost_usd,
        "request_id": completion.request_id, "cached": completion.cached, "error": completion.error,
        "batch_id": completion.batch_id,
    }
    if completion.error:  # no score: a failed request is neither right nor wrong
        return {**record, **dict.fromkeys(SCORE_FIELDS)}
    return {**record, **unit.score(completion)}


def import_report_meanwhile() -> None:
    """Import pandas and the report in a background thread while requests are out, so that
    the summary at the end does not wait for them (the event loop mostly waits on the wire)."""
    def warm() -> None:
        import evalsuite.report  # noqa: F401

    threading.Thread(target=warm, name="evalsuite-import-report", daemon=True).start()


async def execute(units: list[WorkUnit], store: RunStore, config: RunConfig, totals: Totals) -> None:
    """Send the units' requests model by model; store each scored result as it arrives."""
    if "evalsuite.report" not in sys.modules:
        import_report_meanwhile()
    progress = ProgressBar(
        len(units), label="run", unit="req",
        extra=lambda: (
            f"cached {totals.cached} acc {totals.right / max(totals.requests - totals.failed, 1):.2f}"
            f" ${totals.cost_usd:.4f}"
        ),
    )
    options = backend_options(config, store.directory)
    with progress:
        for model in dict.fromkeys(unit.model for unit in units):
            mine = [unit for unit in units if unit.model == model]
            backend = open_backend(model, options, config)
            try:
                async for position, completion in backend.stream([unit.request for unit in mine]):
                    record = make_record(mine[position], completion, config)
                    store.append(record)
                    totals.add(completion, bool(record.get("exact_flexible")))
                    progress.update()
            finally:
                await backend.aclose()


def open_backend(model: str, options: BackendOptions, config: RunConfig):
    """The model's backend: in this process, or with its engine on Ray workers (`--ray`)."""
    if config.ray is None:
        return load_backend(model, options)
    from evalsuite.cluster import load_cluster_backend

    return load_cluster_backend(model, options, config.ray)


def run_units(units: list[WorkUnit], store: RunStore, config: RunConfig) -> Totals:
    totals = Totals()
    store.open()
    try:
        asyncio.run(execute(units, store, config, totals))
    finally:
        store.close()
    return totals
