"""Random draws shared by the CLRS samplers, in the exact order dm-clrs makes them.

Every (algorithm, length, seed) sampler owns one legacy `np.random.RandomState(seed)`,
whose streams are stable across numpy versions.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from evalsuite.clrs.spec import Flavor

DECIMALS = 3


def truncate(value: Any) -> Any:
    """Cut a float or float array to three decimals, as dm-clrs 2.0.3 does to its inputs."""
    if isinstance(value, np.ndarray):
        if not np.issubdtype(value.dtype, np.floating):
            return value
        return np.trunc(value * 10**DECIMALS) / 10**DECIMALS
    if isinstance(value, float):  # np.float64 is a float too
        return float(np.trunc(value * 10**DECIMALS) / 10**DECIMALS)
    return value


def prepare_inputs(data: Sequence[Any], flavor: Flavor) -> list[Any]:
    """The arguments the algorithm runs on: truncated in `current`, untouched in `paper`."""
    if flavor == "paper":
        return list(data)
    return [truncate(value) for value in data]


def random_sequence(
    rng: np.random.RandomState, length: int, low: float = 0.0, high: float = 1.0
) -> np.ndarray:
    return rng.uniform(low=low, high=high, size=(length,))


def random_string(rng: np.random.RandomState, length: int, chars: int = 4) -> np.ndarray:
    return rng.randint(0, high=chars, size=(length,))


def random_er_graph(
    rng: np.random.RandomState,
    nb_nodes: int,
    p: float = 0.5,
    directed: bool = False,
    acyclic: bool = False,
    weighted: bool = False,
    low: float = 0.0,
    high: float = 1.0,
) -> np.ndarray:
    """Erdős–Rényi adjacency (int 0/1, or float weights when `weighted`)."""
    mat = rng.binomial(1, p, size=(nb_nodes, nb_nodes))
    if not directed:
        mat *= np.transpose(mat)
    elif acyclic:
        mat = np.triu(mat, k=1)
        order = rng.permutation(nb_nodes)
        mat = mat[order, :][:, order]
    if weighted:
        weights = rng.uniform(low=low, high=high, size=(nb_nodes, nb_nodes))
        if not directed:
            weights *= np.transpose(weights)
            weights = np.sqrt(weights + 1e-3)
        mat = mat.astype(float) * weights
    return mat


def random_community_graph(
    rng: np.random.RandomState,
    nb_nodes: int,
    k: int = 4,
    p: float = 0.5,
    eps: float = 0.01,
    directed: bool = False,
    acyclic: bool = False,
    weighted: bool = False,
    low: float = 0.0,
    high: float = 1.0,
) -> np.ndarray:
    """k dense communities with sparse links between them, nodes shuffled (float matrix)."""
    mat = np.zeros((nb_nodes, nb_nodes))
    bounds = []
    lo = 0
    for i in range(k):
        hi = nb_nodes if i == k - 1 else lo + nb_nodes // k
        mat[lo:hi, lo:hi] = random_er_graph(
            rng, hi - lo, p=p, directed=directed, acyclic=acyclic,
            weighted=weighted, low=low, high=high,
        )
        bounds.append((lo, hi))
        lo = hi
    toggle = random_er_graph(
        rng, nb_nodes, p=eps, directed=directed, acyclic=acyclic,
        weighted=weighted, low=low, high=high,
    )
    # Links only run from earlier to later communities, so no new cycle closes.
    for i, (lo_i, hi_i) in enumerate(bounds):
        for lo_j, hi_j in bounds[:i]:
            toggle[lo_i:hi_i, lo_j:hi_j] *= 0
    mat = np.where(toggle > 0.0, (1.0 - (mat > 0.0)) * toggle, mat)
    order = rng.permutation(nb_nodes)
    return mat[order, :][:, order]
