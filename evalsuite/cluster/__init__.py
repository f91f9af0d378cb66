"""A run over a Ray cluster: engine workers on the cluster, the run's records on the driver.

Importing this package imports no Ray; `load_cluster_backend` does.
"""

from __future__ import annotations

from evalsuite.backends import Backend, BackendOptions, uses_cache
from evalsuite.cluster.options import RayOptions, check_cluster_run

__all__ = ["RayOptions", "check_cluster_run", "load_cluster_backend"]


def load_cluster_backend(model: str, options: BackendOptions, ray_options: RayOptions) -> Backend:
    """The backend for a local `model` with its engine on Ray workers, behind the driver's
    response cache (the same cache, and the same keys, as a run without Ray)."""
    from evalsuite.backends.cache import CachedBackend, ResponseCache
    from evalsuite.cluster.backend import RayBackend

    backend = RayBackend(model, options.engines, ray_options)
    if options.cache is None or not uses_cache(model):
        return backend
    return CachedBackend(backend, ResponseCache(options.cache), backend.cache_identity)
