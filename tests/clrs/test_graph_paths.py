"""Minimum spanning trees and shortest paths: correct answers and trace shapes."""

from __future__ import annotations

import numpy as np
import pytest

from evalsuite.clrs import graph_paths
from evalsuite.clrs.generate import iter_traces
from evalsuite.clrs.registry import get_algorithm

NAMES = (
    "mst_kruskal", "mst_prim", "bellman_ford", "dijkstra", "dag_shortest_paths",
    "floyd_warshall",
)

# A 5-node undirected graph: the cycle 0-1-2-3 and the edge 2-4, with one heavy edge 0-2.
#   0 -1.0- 1 -2.0- 2 -0.5- 4
#   |               |
#   4.5 --- 3 --3.0-+       and 0-2 weighs 2.5
UNDIRECTED = np.array([
    [0.0, 1.0, 2.5, 4.5, 0.0],
    [1.0, 0.0, 2.0, 0.0, 0.0],
    [2.5, 2.0, 0.0, 3.0, 0.5],
    [4.5, 0.0, 3.0, 0.0, 0.0],
    [0.0, 0.0, 0.5, 0.0, 0.0],
])

# A DAG: 0 -> 1 -> 3 is shorter than 0 -> 3; 2 cannot be reached from 0.
DAG = np.array([
    [0.0, 0.2, 0.0, 0.9],
    [0.0, 0.0, 0.0, 0.3],
    [0.5, 0.0, 0.0, 0.1],
    [0.0, 0.0, 0.0, 0.0],
])


def test_chapter_registers_its_six_algorithms_from_length_2():
    for name in NAMES:
        spec = get_algorithm(name)
        assert spec.chapter == "graph_paths"
        assert spec.min_length == 2


def test_kruskal_picks_the_minimum_spanning_tree():
    trace = graph_paths.mst_kruskal(UNDIRECTED)
    (in_mst,) = trace.outputs
    edges = {(u, v) for u in range(5) for v in range(u + 1, 5) if in_mst[u][v]}
    assert edges == {(0, 1), (1, 2), (2, 4), (2, 3)}
    assert all(in_mst[u][v] == in_mst[v][u] for u in range(5) for v in range(5))


def test_kruskal_frames_start_empty_and_end_on_the_tree():
    trace = graph_paths.mst_kruskal(UNDIRECTED)
    assert trace.frames[0] == ([[0] * 5 for _ in range(5)],)
    assert trace.frames[-1] == trace.outputs
    # Six edges, each with an entry and an exit frame, plus one per union-find step.
    assert len(trace.frames) >= 1 + 2 * 6


def test_prim_grows_the_same_tree_from_the_source():
    trace = graph_paths.mst_prim(UNDIRECTED, 0)
    assert trace.outputs == ([0, 0, 1, 2, 2],)
    assert trace.inputs[0] == 0
    # The initial frame, then one per node taken from the queue.
    assert len(trace.frames) == 1 + 5
    assert trace.frames[0] == ([0, 1, 2, 3, 4],)


@pytest.mark.parametrize("run", [graph_paths.bellman_ford, graph_paths.dijkstra])
def test_single_source_shortest_paths(run):
    # From 0: 1 via the edge (1.0), 2 directly (2.5 < 3.0), 3 directly (4.5 < 5.5), 4 via 2.
    assert run(UNDIRECTED, 0).outputs == ([0, 0, 0, 0, 2],)


def test_bellman_ford_has_one_frame_per_round():
    trace = graph_paths.bellman_ford(UNDIRECTED, 4)
    # Rounds reach 2, then 0, 1, 3, then nothing changes: three rounds.
    assert trace.outputs == ([2, 2, 4, 2, 4],)
    assert len(trace.frames) == 3


def test_dag_shortest_paths_leaves_unreachable_nodes_alone():
    trace = graph_paths.dag_shortest_paths(DAG, 0)
    assert trace.outputs == ([0, 0, 2, 1],)
    # Initial, colour s, discover 1, discover 3, finish 3, finish 1, finish 0,
    # relax 0, relax 1 (3 is last in the order and never relaxed), final.
    assert len(trace.frames) == 10


def test_floyd_warshall_all_pairs_predecessors():
    trace = graph_paths.floyd_warshall(UNDIRECTED)
    (Pi,) = trace.outputs
    assert Pi[0] == [0, 0, 0, 0, 2]
    assert Pi[4] == [2, 2, 4, 2, 4]
    assert Pi[3][4] == 2 and Pi[3][1] == 2
    # One frame before each intermediate node, starting from "every node points at itself".
    assert len(trace.frames) == 5
    assert trace.frames[0] == ([[i] * 5 for i in range(5)],)


def test_floyd_warshall_does_not_disturb_the_printed_input():
    trace = graph_paths.floyd_warshall(UNDIRECTED)
    assert trace.inputs == (UNDIRECTED.tolist(),)


def test_extract_min_skips_nodes_out_of_the_queue():
    assert graph_paths._extract_min([0.0, 0.5, 0.2], [0, 1, 1]) == 2
    assert graph_paths._extract_min([0.3, 0.3, 0.3], [0, 1, 1]) in (1, 2)
    assert graph_paths._extract_min([0.0, 0.5], [0, 0]) is None


@pytest.mark.parametrize("flavor", ["current", "paper"])
def test_dijkstra_and_bellman_ford_agree_on_sampled_graphs(flavor):
    dijkstra = iter_traces("dijkstra", 12, seed=5, flavor=flavor)
    bellman_ford = iter_traces("bellman_ford", 12, seed=5, flavor=flavor)
    for _ in range(20):
        by_dijkstra, by_bellman_ford = next(dijkstra), next(bellman_ford)
        assert by_dijkstra.inputs == by_bellman_ford.inputs  # same sampler, same draws
        if flavor == "paper":  # untruncated weights: no equal-length paths to break apart
            assert by_dijkstra.outputs == by_bellman_ford.outputs


def test_samplers_draw_the_graphs_each_algorithm_expects():
    rng = np.random.RandomState(0)
    graph, source = graph_paths.sample_graph_and_source(rng, 9, "current")
    assert np.array_equal(graph, graph.T) and 0 <= source < 9
    dag, source = graph_paths.sample_dag_and_source(rng, 9, "current")
    assert _has_topological_order(dag) and 0 <= source < 9


def _has_topological_order(graph: np.ndarray) -> bool:
    remaining = set(range(len(graph)))
    while remaining:
        sources = [v for v in remaining if not any(graph[u, v] for u in remaining)]
        if not sources:
            return False
        remaining -= set(sources)
    return True
