"""Weighted graphs (CLRS chapters 23-25): minimum spanning trees and shortest paths.

Kruskal, Prim, Bellman-Ford, Dijkstra, DAG shortest paths and Floyd-Warshall, traced the
way dm-clrs traces them. The text shows one hint per algorithm, named like its output:
`in_mst` (Kruskal), `Pi` (Floyd-Warshall) or the predecessor pointers `pi` (the others).
Every other piece of algorithm state is kept only because it decides those frames.

Ties matter: in the `current` flavour the weights are cut to three decimals, so equal keys
and equal path lengths are common. Strict `<` comparisons in a fixed scan order make most
ties deterministic; where dm-clrs breaks a tie with `np.argsort` (Kruskal's edge order,
the extract-min of Prim and Dijkstra), so do we, on the same float64 values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from evalsuite.clrs.sampling import random_er_graph
from evalsuite.clrs.spec import (
    AlgorithmSpec,
    Field,
    Flavor,
    Kind,
    Runner,
    Sampler,
    Trace,
)

CHAPTER = "graph_paths"

SOURCE_AND_WEIGHTS = (Field("s", Kind.INDEX), Field("A", Kind.FLOAT_MATRIX))
WEIGHTS = (Field("A", Kind.FLOAT_MATRIX),)
PREDECESSORS = (Field("pi", Kind.INTS),)
IN_MST = (Field("in_mst", Kind.INT_MATRIX),)
ALL_PAIRS_PREDECESSORS = (Field("Pi", Kind.INT_MATRIX),)

# dm-clrs pushes nodes that are not in the queue this far up before its argsort extract-min.
_NOT_QUEUED_OFFSET = 1e9

Neighbours = list[list[tuple[int, float]]]


# ---------------------------------------------------------------------------- samplers
# The official samplers pass `p` through `rng.choice((p,))`; a one-element choice draws
# nothing from a RandomState, so it is left out here.


def sample_mst_graph(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """Kruskal's sampler: a sparse (p=0.2) undirected graph with sqrt-smoothed weights."""
    return [random_er_graph(rng, length, p=0.2, directed=False, weighted=True)]


def sample_graph_and_source(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """Prim, Bellman-Ford, Dijkstra: an undirected weighted graph (p=0.5), then a source."""
    graph = random_er_graph(rng, length, p=0.5, directed=False, weighted=True)
    return [graph, rng.choice(length)]


def sample_dag_and_source(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """DAG shortest paths: a shuffled weighted DAG (p=0.5, weights as drawn), then a source."""
    graph = random_er_graph(rng, length, p=0.5, directed=True, acyclic=True, weighted=True)
    return [graph, rng.choice(length)]


def sample_all_pairs_graph(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """Floyd-Warshall: Bellman-Ford's graph without a source."""
    return [random_er_graph(rng, length, p=0.5, directed=False, weighted=True)]


# ----------------------------------------------------------------------------- helpers


def _out_neighbours(weights: list[list[float]]) -> Neighbours:
    """For each node, its (neighbour, weight) pairs in index order (self-loops included)."""
    return [[(v, w) for v, w in enumerate(row) if w != 0] for row in weights]


def _copy_matrix(matrix: list[list[int]]) -> list[list[int]]:
    return [row[:] for row in matrix]


def _push(frames: list, hint: list, copy: Callable[[list], list] = list.copy) -> None:
    """Append a frame of `hint`, handing on the previous snapshot when nothing changed.

    The renderer prints each distinct snapshot object once, and most steps move no pointer.
    """
    last = frames[-1][0] if frames else None
    frames.append((last if last == hint else copy(hint),))


def _extract_min(values: list[float], in_queue: list[int]) -> int | None:
    """The queued node of smallest value, as dm-clrs's argsort picks it; None if none queued.

    A unique minimum is found in plain Python. On a tie the order argsort gives equal values
    depends on numpy's sort kernel (SIMD sorts are not stable), so the same argsort is run
    on the same array to pick the same node.
    """
    best, best_value, tied = None, 0.0, False
    for node, queued in enumerate(in_queue):
        if queued:
            value = values[node]
            if best is None or value < best_value:
                best, best_value, tied = node, value, False
            elif value == best_value:
                tied = True
    if tied:
        keys = np.array(values) + (1.0 - np.array(in_queue, dtype=float)) * _NOT_QUEUED_OFFSET
        return int(np.argsort(keys)[0])
    return best


def _source_trace(s: int, weights: list[list[float]], pi: list[int], frames: list) -> Trace:
    return Trace(inputs=(s, weights), outputs=(pi,), frames=tuple(frames))


# ------------------------------------------------------------------------------ Kruskal


def _edges_by_weight(A: np.ndarray) -> list[tuple[int, int]]:
    """The edges u < v in row-major order, reordered by dm-clrs's argsort of their weights."""
    rows, cols = np.nonzero(np.triu(A > 0, k=1))
    order = np.argsort(A[rows, cols])
    return list(zip(rows[order].tolist(), cols[order].tolist()))


def _find_root(node: int, parent: list[int]) -> tuple[int, int]:
    """Walk up to `node`'s root, pointing every node seen so far at each new ancestor.

    Returns (root, steps); dm-clrs pushes one frame per step.
    """
    root, seen, steps = node, [node], 0
    while parent[root] != root:
        root = parent[root]
        for member in seen:
            parent[member] = root
        seen.append(root)
        steps += 1
    return root, steps


def mst_kruskal(A: np.ndarray) -> Trace:
    """Kruskal's MST; the frames are the `in_mst` edge mask at each union-find step."""
    n = A.shape[0]
    parent = list(range(n))
    in_mst = [[0] * n for _ in range(n)]
    snapshot = _copy_matrix(in_mst)
    frames = [(snapshot,)]
    for u, v in _edges_by_weight(A):
        root_u, steps_u = _find_root(u, parent)
        root_v, steps_v = _find_root(v, parent)
        # One frame on entry and one per step up either tree, all before any change.
        frames.extend([(snapshot,)] * (1 + steps_u + steps_v))
        if root_u != root_v:
            in_mst[u][v] = in_mst[v][u] = 1
            # The smaller root joins the larger one.
            if root_u < root_v:
                parent[root_u] = root_v
            else:
                parent[root_v] = root_u
            snapshot = _copy_matrix(in_mst)
        frames.append((snapshot,))
    return Trace(inputs=(A.tolist(),), outputs=(in_mst,), frames=tuple(frames))


# --------------------------------------------------------------------------------- Prim


def mst_prim(A: np.ndarray, s: int) -> Trace:
    """Prim's MST from `s`; one `pi` frame per node taken from the queue."""
    weights = A.tolist()
    n = len(weights)
    neighbours = _out_neighbours(weights)
    key, marked, in_queue = [0.0] * n, [0] * n, [0] * n
    pi = list(range(n))
    in_queue[s] = 1
    frames: list = []
    _push(frames, pi)
    for _ in range(n):
        u = _extract_min(key, in_queue)
        if u is None:
            break
        marked[u], in_queue[u] = 1, 0
        for v, w in neighbours[u]:
            if not marked[v] and (not in_queue[v] or w < key[v]):
                pi[v], key[v], in_queue[v] = u, w, 1
        _push(frames, pi)
    return _source_trace(int(s), weights, pi, frames)


# ------------------------------------------------------------------------- Bellman-Ford


def bellman_ford(A: np.ndarray, s: int) -> Trace:
    """Bellman-Ford from `s`; one `pi` frame at the start of each round of relaxations.

    Each round relaxes from the distances and reached set of the previous round, and the
    rounds stop once no distance changed.
    """
    weights = A.tolist()
    n = len(weights)
    neighbours = _out_neighbours(weights)
    d, reached = [0.0] * n, [0] * n
    pi = list(range(n))
    reached[s] = 1
    frames: list = []
    while True:
        prev_d, prev_reached = d[:], reached[:]
        _push(frames, pi)
        for u in range(n):
            if not prev_reached[u]:
                continue
            d_u = prev_d[u]
            for v, w in neighbours[u]:
                if not reached[v] or d_u + w < d[v]:
                    d[v], pi[v] = d_u + w, u
                reached[v] = 1
        if d == prev_d:
            break
    return _source_trace(int(s), weights, pi, frames)


# ----------------------------------------------------------------------------- Dijkstra


def dijkstra(A: np.ndarray, s: int) -> Trace:
    """Dijkstra from `s`; one `pi` frame per node taken from the queue."""
    weights = A.tolist()
    n = len(weights)
    neighbours = _out_neighbours(weights)
    d, marked, in_queue = [0.0] * n, [0] * n, [0] * n
    pi = list(range(n))
    in_queue[s] = 1
    frames: list = []
    _push(frames, pi)
    for _ in range(n):
        u = _extract_min(d, in_queue)
        if u is None:
            break
        marked[u], in_queue[u] = 1, 0
        d_u = d[u]
        for v, w in neighbours[u]:
            if not marked[v] and (not in_queue[v] or d_u + w < d[v]):
                pi[v], d[v], in_queue[v] = u, d_u + w, 1
        _push(frames, pi)
    return _source_trace(int(s), weights, pi, frames)


# -------------------------------------------------------------------- DAG shortest paths


def _dfs_topological_order(neighbours: Neighbours, s: int) -> tuple[list[int], int]:
    """Iterative DFS from `s` as dm-clrs runs it: (nodes in topological order, frames pushed).

    The DFS pushes a frame when it colours `s`, when it discovers a node, and when it
    finishes one; `pi` does not change meanwhile, so only the count matters.
    """
    n = len(neighbours)
    visited = [False] * n
    visited[s] = True
    stack, finished = [s], []
    frames = 1
    while stack:
        u = stack[-1]
        # Each visit rescans u's edges from the start for the first undiscovered node.
        for v, _ in neighbours[u]:
            if not visited[v]:
                visited[v] = True
                stack.append(v)
                break
        else:
            stack.pop()
            finished.append(u)
        frames += 1
    finished.reverse()
    return finished, frames


def dag_shortest_paths(A: np.ndarray, s: int) -> Trace:
    """Shortest paths from `s` in a DAG: DFS topological sort, then relax in that order.

    Frames: the initial one, the DFS's (see `_dfs_topological_order`), one before each
    relaxation (the last node in the order is never relaxed) and a final one.
    """
    weights = A.tolist()
    n = len(weights)
    neighbours = _out_neighbours(weights)
    order, dfs_frames = _dfs_topological_order(neighbours, s)
    pi = list(range(n))
    frames = [(pi[:],)] * (1 + dfs_frames)
    d, reached = [0.0] * n, [0] * n
    reached[s] = 1
    for u in order[:-1]:
        reached[u] = 1  # already so: every node in the order was relaxed into before it
        _push(frames, pi)
        d_u = d[u]
        for v, w in neighbours[u]:
            if not reached[v] or d_u + w < d[v]:
                d[v], pi[v], reached[v] = d_u + w, u, 1
    _push(frames, pi)
    return _source_trace(int(s), weights, pi, frames)


# ----------------------------------------------------------------------- Floyd-Warshall


def floyd_warshall(A: np.ndarray) -> Trace:
    """Floyd-Warshall; one `Pi` frame before each intermediate node k.

    Paths start as the edges plus every node to itself (distance A[i][i], 0 without a
    self-loop). Weights are positive, so row k and column k cannot improve while k is the
    intermediate node: reading them in place equals dm-clrs's reads from a copy.
    """
    distance = A.tolist()
    n = len(distance)
    known = [[int(w != 0 or i == j) for j, w in enumerate(row)] for i, row in enumerate(distance)]
    Pi = [[i] * n for i in range(n)]
    frames: list = []
    for k in range(n):
        _push(frames, Pi, _copy_matrix)
        distance_k, Pi_k = distance[k], Pi[k]
        via_k = [j for j in range(n) if known[k][j]]
        for i in range(n):
            if not known[i][k]:
                continue
            d_ik, distance_i, Pi_i, known_i = distance[i][k], distance[i], Pi[i], known[i]
            for j in via_k:
                through_k = d_ik + distance_k[j]
                if not known_i[j] or through_k < distance_i[j]:
                    distance_i[j], Pi_i[j], known_i[j] = through_k, Pi_k[j], 1
    # `distance` has been overwritten; the input is printed from a fresh copy.
    return Trace(inputs=(A.tolist(),), outputs=(Pi,), frames=tuple(frames))


def _spec(
    name: str, inputs: tuple[Field, ...], outputs: tuple[Field, ...], sample: Sampler, run: Runner
) -> AlgorithmSpec:
    # The text shows one hint, named and printed like the output.
    return AlgorithmSpec(
        name=name, chapter=CHAPTER, inputs=inputs, outputs=outputs, hints=outputs,
        sample=sample, run=run, min_length=2,
    )


# dm-clrs cannot render length 1: its text code mistakes a 1-node graph for a scalar.
ALGORITHMS = (
    _spec("mst_kruskal", WEIGHTS, IN_MST, sample_mst_graph, mst_kruskal),
    _spec("mst_prim", SOURCE_AND_WEIGHTS, PREDECESSORS, sample_graph_and_source, mst_prim),
    _spec("bellman_ford", SOURCE_AND_WEIGHTS, PREDECESSORS, sample_graph_and_source, bellman_ford),
    _spec("dijkstra", SOURCE_AND_WEIGHTS, PREDECESSORS, sample_graph_and_source, dijkstra),
    _spec("dag_shortest_paths", SOURCE_AND_WEIGHTS, PREDECESSORS, sample_dag_and_source,
          dag_shortest_paths),
    _spec("floyd_warshall", WEIGHTS, ALL_PAIRS_PREDECESSORS, sample_all_pairs_graph,
          floyd_warshall),
)
