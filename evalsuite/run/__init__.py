"""The end-to-end benchmark run: resumable, recorded, sharded."""

from evalsuite.run.benchmark import RunOutcome, run_benchmark
from evalsuite.run.config import RunConfig

__all__ = ["RunConfig", "RunOutcome", "run_benchmark"]
