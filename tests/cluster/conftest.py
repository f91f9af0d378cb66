"""One local Ray cluster for the whole session (starting one takes seconds), two CPUs wide."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    """The address of a 2-CPU Ray cluster that this test process started and is connected to
    (a run in this process reuses the connection; another process joins at the address)."""
    # Through the module a run uses, which sets up Ray's authentication first.
    from evalsuite.cluster.backend import ray

    ray.init(address="local", num_cpus=2, include_dashboard=False,
             object_store_memory=100 * 2**20, logging_level="ERROR")
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()
