"""Run-side handling of `--batch`: cancelling a run's batches, and what Ctrl-C prints."""

from __future__ import annotations

import asyncio
import dataclasses
import shlex
from pathlib import Path

from evalsuite.errors import EvalsuiteError
from evalsuite.run.config import RunConfig


def resume_hint(directory: str | Path) -> str:
    """The line printed when Ctrl-C stops a batch run from waiting."""
    return ("evalsuite: stopped waiting; the batches go on at the provider (nothing was "
            f"cancelled). Resume with: evalsuite run --resume {shlex.quote(str(directory))}")


def cancel_batches(config: RunConfig) -> str:
    """Cancel the batches of the run in `config.out` that are still unread; say how many."""
    from evalsuite.backends import split_model
    from evalsuite.backends.batch import BatchBackend
    from evalsuite.backends.batch_journal import BatchJournal
    from evalsuite.backends.hosted import HOSTED, check_hosted

    if not config.out or not BatchJournal(config.out).records():
        raise EvalsuiteError(f"--batch-cancel: {config.out} has no batches")
    options = dataclasses.replace(config.engines.hosted, batch=True)

    async def cancel() -> int:
        count = 0
        for model in config.models:
            provider, name = split_model(model)
            if provider not in HOSTED:
                continue
            backend = BatchBackend(check_hosted(provider, name, options), options, Path(config.out))
            try:
                count += await backend.cancel_all()
            finally:
                await backend.aclose()
        return count

    cancelled = asyncio.run(cancel())
    return (f"{config.out}: cancelled {cancelled} batches; answers they gave are kept, and running "
            "again resubmits the rest")
