"""Graph search: the traced algorithms give correct answers and dm-clrs's frame counts."""

from __future__ import annotations

import numpy as np
import pytest

from evalsuite.clrs import get_algorithm, iter_samples
from evalsuite.clrs.graph_search import (
    articulation_points,
    bfs,
    bridges,
    dfs,
    strongly_connected_components,
    topological_sort,
)


def _matrix(n: int, edges: list[tuple[int, int]], undirected: bool = False) -> np.ndarray:
    A = np.zeros((n, n), dtype=int)
    for u, v in edges:
        A[u, v] = 1
        if undirected:
            A[v, u] = 1
    return A


def _random_graphs(algo: str, length: int, count: int = 30) -> list:
    spec = get_algorithm(algo)
    rng = np.random.RandomState(length)
    return [spec.sample(rng, length, "paper") for _ in range(count)]


def _reachable(A: np.ndarray, start: int, skip_node: int = -1, skip_edge=None) -> set[int]:
    seen, todo = {start}, [start]
    while todo:
        u = todo.pop()
        for v in np.flatnonzero(A[u]):
            v = int(v)
            if v == skip_node or v in seen or {u, v} == skip_edge:
                continue
            seen.add(v)
            todo.append(v)
    return seen


def _components(A: np.ndarray, skip_node: int = -1, skip_edge=None) -> int:
    seen: set[int] = set()
    count = 0
    for u in range(len(A)):
        if u != skip_node and u not in seen:
            seen |= _reachable(A, u, skip_node, skip_edge)
            count += 1
    return count


def test_dfs_parents_and_three_frames_per_node():
    # 0 -> 1 -> 2 and 0 -> 2: DFS reaches 2 through 1; node 3 is a root of its own.
    trace = dfs(_matrix(4, [(0, 1), (1, 2), (0, 2)]))
    assert trace.outputs == ([0, 0, 1, 3],)
    assert len(trace.frames) == 3 * 4
    assert trace.frames[0] == ([0, 1, 2, 3],)
    assert trace.frames[-1] == trace.outputs


def test_dfs_always_pushes_three_frames_per_node():
    for (A,) in _random_graphs("dfs", 9):
        assert len(dfs(A).frames) == 27


def test_bfs_takes_the_lowest_numbered_parent_one_round_at_a_time():
    # A square 0-1-3-2-0: node 3 is two hops away through 1 or 2; 1 wins.
    trace = bfs(0, _matrix(4, [(0, 1), (0, 2), (1, 3), (2, 3)], undirected=True))
    assert trace.inputs[0] == 0
    assert trace.outputs == ([0, 0, 0, 1],)
    # Rounds: reach {1, 2}, reach {3}, then one that changes nothing.
    assert [frame[0] for frame in trace.frames] == [[0, 1, 2, 3], [0, 0, 0, 3], [0, 0, 0, 1]]


def _hops(A: np.ndarray, source: int) -> dict[int, int]:
    hops, frontier = {source: 0}, [source]
    while frontier:
        following = []
        for u in frontier:
            for v in map(int, np.flatnonzero(A[u])):
                if v not in hops:
                    hops[v] = hops[u] + 1
                    following.append(v)
        frontier = following
    return hops


def test_bfs_parents_are_one_hop_closer_to_the_source():
    for source, A in _random_graphs("bfs", 8):
        parent = bfs(source, A).outputs[0]
        hops = _hops(A, int(source))
        for v, u in enumerate(parent):
            if v in hops and v != source:
                assert A[u, v] and hops[u] == hops[v] - 1
            else:
                assert u == v


def test_topological_sort_links_nodes_in_an_order_that_respects_every_edge():
    for (A,) in _random_graphs("topological_sort", 10):
        trace = topological_sort(A)
        following, head = trace.outputs
        order = [head]
        while following[order[-1]] != order[-1]:
            order.append(following[order[-1]])
        assert sorted(order) == list(range(10))
        position = {node: index for index, node in enumerate(order)}
        for u, v in zip(*np.nonzero(A)):
            assert position[u] < position[v]
        assert trace.frames[-1] == trace.outputs


def test_articulation_points_on_a_path_and_a_triangle():
    path = _matrix(3, [(0, 1), (1, 2)], undirected=True)
    assert articulation_points(path).outputs == ([0, 1, 0],)
    triangle = _matrix(3, [(0, 1), (1, 2), (0, 2)], undirected=True)
    assert articulation_points(triangle).outputs == ([0, 0, 0],)


def test_articulation_points_disconnect_the_graph():
    for (A,) in _random_graphs("articulation_points", 9):
        is_cut = articulation_points(A).outputs[0]
        for u in range(9):
            # Removing an isolated node (a self-loop at most) removes its own component.
            isolated = set(np.flatnonzero(A[u]).tolist()) <= {u}
            expected = _components(A, skip_node=u) > _components(A) - isolated
            assert is_cut[u] == int(expected)


def test_bridges_are_the_edges_whose_removal_disconnects():
    for (A,) in _random_graphs("bridges", 9):
        is_bridge = bridges(A).outputs[0]
        for u in range(9):
            for v in range(9):
                if u == v:
                    assert is_bridge[u][v] == 0
                elif not A[u, v]:
                    assert is_bridge[u][v] == -1
                else:
                    splits = _components(A, skip_edge={u, v}) > _components(A)
                    assert is_bridge[u][v] == int(splits)


def test_bridges_trace_starts_with_every_edge_unmarked():
    trace = bridges(_matrix(3, [(0, 1)], undirected=True))
    assert trace.frames[0] == ([[0, 0, -1], [0, 0, -1], [-1, -1, 0]],)
    assert trace.outputs == ([[0, 1, -1], [1, 0, -1], [-1, -1, 0]],)


def test_scc_ids_name_a_member_of_each_component():
    for (A,) in _random_graphs("strongly_connected_components", 12):
        scc_id = strongly_connected_components(A).outputs[0]
        reach = [_reachable(A, u) for u in range(12)]
        for u in range(12):
            assert scc_id[scc_id[u]] == scc_id[u]
            for v in range(12):
                same = v in reach[u] and u in reach[v]
                assert (scc_id[u] == scc_id[v]) == same


def test_scc_cycle_takes_the_id_of_the_second_pass_root():
    # A 3-cycle 0 -> 1 -> 2 -> 0 and a tail 2 -> 3: node 0 finishes last in the first pass.
    A = _matrix(4, [(0, 1), (1, 2), (2, 0), (2, 3)]).astype(float)
    trace = strongly_connected_components(A)
    assert trace.outputs == ([0, 0, 0, 3],)


@pytest.mark.parametrize(
    "algo, length",
    [("dfs", 2), ("bfs", 2), ("topological_sort", 2), ("articulation_points", 2),
     ("bridges", 2), ("strongly_connected_components", 4)],
)
def test_smallest_lengths_dm_clrs_can_print(algo, length):
    assert get_algorithm(algo).min_length == length


def test_adjacency_prints_as_ints_except_for_the_float_community_graph():
    [bfs_sample] = iter_samples(["bfs"], [5], [0], 1)
    [scc_sample] = iter_samples(["strongly_connected_components"], [5], [0], 1)
    assert bfs_sample.question.startswith("bfs:\ns: ") and "A: [[" in bfs_sample.question
    assert "." not in bfs_sample.question
    assert "1.0" in scc_sample.question and "0.0" in scc_sample.question
