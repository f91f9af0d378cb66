"""Where a run's local models run when it is spread over a Ray cluster: the `--ray` options.

Nothing here imports Ray, so that the command line can check its options (and refuse hosted
models) before the optional extra is even looked for.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from evalsuite.errors import EvalsuiteError

HOSTED_PROVIDERS = ("openai", "anthropic")


@dataclass(frozen=True)
class RayOptions:
    """`address`: a Ray cluster (`ray://…` or `HOST:PORT`), or `auto` for the one in
    RAY_ADDRESS, else a local cluster started for the run. `workers`: engine workers
    (None: one per free GPU, else one per few free CPUs)."""

    address: str = "auto"
    workers: int | None = None


def check_cluster_run(options: RayOptions, models: tuple[str, ...]) -> None:
    """One clear error before anything is planned: hosted models stay on the driver, and
    Ray must be installed."""
    from evalsuite.backends import split_model

    if options.workers is not None and options.workers < 1:
        raise EvalsuiteError(f"--ray-workers must be 1 or more, got {options.workers}")
    for model in models:
        if split_model(model)[0] in HOSTED_PROVIDERS:
            raise EvalsuiteError(
                f"--ray runs local models only; {model} is limited by its provider's rate limit, "
                "not by machines: use --concurrency instead (or --batch, where the provider takes batches)"
            )
    if importlib.util.find_spec("ray") is None:
        raise EvalsuiteError("--ray needs Ray: pip install 'evalsuite[ray]'")
