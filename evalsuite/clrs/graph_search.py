"""Graph search (CLRS chapter 22): DFS, BFS, topological sort, articulation points, bridges, SCC.

The text shows only the hint named like the output (`pi_h`, `topo_h` and `topo_head_h`,
`is_cut_h`, `is_bridge_h`, `scc_id_h`), but dm-clrs pushes a hint frame at every step of its
traversal, so the number of frames follows its stack-based DFS exactly:

- a frame when a new root is taken, before it is discovered;
- a frame when a node is discovered (DFS, articulation points, bridges, SCC's first pass),
  or only when the root is (topological sort, SCC's second pass: there a node is entered
  without a discovery step);
- a frame for each tree edge: the scan of a node's neighbours, always from index 0, stops at
  the first unvisited one, which is entered at once;
- articulation points and bridges only: a frame for every visited neighbour other than the
  DFS parent met on each scan, rescans after a child returns included;
- a frame when a node has no unvisited neighbour left and finishes.

`_walk` replays that traversal as a list of events, one per frame; each algorithm folds the
events into its own state. Discovery and finishing times are kept as integer ticks: dm-clrs
adds 0.01 per tick, which orders them the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import compress

import numpy as np

from evalsuite.clrs.sampling import random_community_graph, random_er_graph
from evalsuite.clrs.spec import AlgorithmSpec, Field, Flavor, Kind, Trace

# dm-clrs squeezes the 1x1 adjacency matrix of a single node to a scalar and cannot print it.
MIN_GRAPH_LENGTH = 2
# The SCC sampler draws four communities and refuses fewer nodes than that.
SCC_COMMUNITIES = 4

ROOT, DISCOVER, TREE, BACK, FINISH = range(5)
Event = tuple[int, int, int]  # (kind, u, v); v is the entered or visited neighbour

GRAPH = (Field("A", Kind.INT_MATRIX),)


# Samplers. dm-clrs draws the edge probability with `rng.choice((p,))`, which takes no
# randomness from a one-element tuple, so it is left out here.

def sample_directed(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """DFS: a directed Erdős–Rényi graph, p = 0.5, self-loops allowed."""
    return [random_er_graph(rng, length, p=0.5, directed=True)]


def sample_bfs(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """BFS: an undirected Erdős–Rényi graph, p = 0.5, then the source node."""
    graph = random_er_graph(rng, length, p=0.5, directed=False)
    source = rng.randint(0, length)  # the draw `rng.choice(length)` makes
    return [source, graph]


def sample_dag(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """Topological sort: a random DAG (upper triangle, nodes permuted), p = 0.5."""
    return [random_er_graph(rng, length, p=0.5, directed=True, acyclic=True)]


def sample_sparse_undirected(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """Articulation points and bridges: an undirected Erdős–Rényi graph, p = 0.2."""
    return [random_er_graph(rng, length, p=0.2, directed=False)]


def sample_communities(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """SCC: four dense directed communities, sparse links between them (a float matrix)."""
    return [
        random_community_graph(rng, length, k=SCC_COMMUNITIES, p=0.5, eps=0.01, directed=True)
    ]


# The traversal shared by the DFS family.

def _neighbours(matrix: list[list]) -> list[list[int]]:
    """Each row's nonzero columns, ascending: the order dm-clrs scans them in."""
    columns = range(len(matrix))
    return [list(compress(columns, row)) for row in matrix]


def _walk(
    neighbours: list[list[int]],
    roots: Sequence[int],
    discover_every_node: bool,
    report_visited: bool,
) -> list[Event]:
    """The events of dm-clrs's stack-based DFS, one per hint frame it pushes.

    `discover_every_node` gives each entered node a DISCOVER event (otherwise only roots get
    one); `report_visited` gives a BACK event for each visited neighbour other than the parent
    met on every scan of a node's neighbours.
    """
    n = len(neighbours)
    visited = [False] * n
    parent = list(range(n))
    # Where the next scan may start: everything before it is visited for good. Only valid
    # when visited neighbours need not be reported, as they must be on every rescan.
    scan_start = [0] * n
    events: list[Event] = []
    for root in roots:
        if visited[root]:
            continue
        visited[root] = True
        events.append((ROOT, root, root))
        events.append((DISCOVER, root, root))
        stack = [root]
        while stack:
            u = stack[-1]
            entered = -1
            adjacent = neighbours[u]
            for index in range(0 if report_visited else scan_start[u], len(adjacent)):
                v = adjacent[index]
                if not visited[v]:
                    scan_start[u] = index + 1
                    entered = v
                    break
                if report_visited and v != parent[u]:
                    events.append((BACK, u, v))
            if entered < 0:
                events.append((FINISH, u, u))
                stack.pop()
                continue
            visited[entered] = True
            parent[entered] = u
            stack.append(entered)
            events.append((TREE, u, entered))
            if discover_every_node:
                events.append((DISCOVER, entered, entered))
    return events


def _graph_input(A: np.ndarray) -> list[list]:
    return A.tolist()


def dfs(A: np.ndarray) -> Trace:
    """Depth-first search from every unvisited node in index order; `pi` holds DFS parents.

    Always 3n frames: per node a discovery and a finish, per root a start, per other node a
    tree edge.
    """
    matrix = _graph_input(A)
    n = len(matrix)
    parent = list(range(n))
    shown = parent[:]
    frames = []
    for kind, u, v in _walk(_neighbours(matrix), range(n), True, False):
        if kind == TREE:
            parent[v] = u
            shown = parent[:]
        frames.append((shown,))
    return Trace(inputs=(matrix,), outputs=(parent,), frames=tuple(frames))


def bfs(s: int, A: np.ndarray) -> Trace:
    """Breadth-first search from `s`, in synchronous rounds; `pi` holds BFS parents.

    In each round every node reached before it claims its unreached neighbours, the
    lowest-numbered claimant winning; one frame per round, the last one changing nothing.
    """
    matrix = _graph_input(A)
    source = int(s)
    n = len(matrix)
    neighbours = _neighbours(matrix)
    parent = list(range(n))
    reached = [False] * n
    reached[source] = True
    # Nodes reached before the last round have no unreached neighbours left.
    frontier = [source]
    shown = parent[:]
    frames = []
    while True:
        frames.append((shown,))
        newly_reached = []
        for i in frontier:
            for j in neighbours[i]:
                if not reached[j]:
                    reached[j] = True
                    parent[j] = i
                    newly_reached.append(j)
        if not newly_reached:
            break
        frontier = sorted(newly_reached)
        shown = parent[:]
    return Trace(inputs=(source, matrix), outputs=(parent,), frames=tuple(frames))


def topological_sort(A: np.ndarray) -> Trace:
    """Topological sort by DFS finishing order, as a linked list.

    `topo_head` is the node finished last (first in the order) and `topo[u]` the node after
    u (a node points to itself at the end). A finishing node links to the previous head only
    when that head has finished: the initial head 0 has not, unless it is the node itself.
    """
    matrix = _graph_input(A)
    n = len(matrix)
    following = list(range(n))
    finished = [False] * n
    head = 0
    shown = following[:]
    frames = []
    for kind, u, _ in _walk(_neighbours(matrix), range(n), False, False):
        if kind == FINISH:
            finished[u] = True
            if finished[head]:
                following[u] = head
                shown = following[:]
            head = u
        frames.append((shown, head))
    return Trace(inputs=(matrix,), outputs=(following, head), frames=tuple(frames))


@dataclass
class _LowLinks:
    """Discovery times, low-links and DFS children, kept up to date by `_low_link_walk`."""

    children: list[list[int]]
    discovered: list[int]
    low: list[int]


def _low_link_walk(matrix: list[list[int]]) -> Iterator[tuple[int, int, int, _LowLinks]]:
    """The DFS events of `_walk` (one per hint frame), each yielded after the low-link
    bookkeeping for it is done: at FINISH, u's low-link already includes its children's."""
    n = len(matrix)
    links = _LowLinks([[] for _ in range(n)], [0] * n, [0] * n)
    tick = 0
    for kind, u, v in _walk(_neighbours(matrix), range(n), True, True):
        if kind == DISCOVER:
            tick += 1
            links.discovered[u] = links.low[u] = tick
        elif kind == TREE:
            links.children[u].append(v)
        elif kind == BACK:
            links.low[u] = min(links.low[u], links.discovered[v])
        elif kind == FINISH:
            tick += 1
            for child in links.children[u]:
                links.low[u] = min(links.low[u], links.low[child])
        yield kind, u, v, links


def articulation_points(A: np.ndarray) -> Trace:
    """Cut vertices by low-link DFS; `is_cut` is a 0/1 mask.

    A root is a cut vertex with two or more DFS children; another node u when some child's
    low-link is not earlier than u's discovery.
    """
    matrix = _graph_input(A)
    n = len(matrix)
    parent = list(range(n))
    is_cut = [0] * n
    shown = is_cut[:]
    frames = []
    for kind, u, v, links in _low_link_walk(matrix):
        if kind == TREE:
            parent[v] = u
        elif kind == FINISH:
            children = links.children[u]
            is_root = parent[u] == u
            if (is_root and len(children) > 1) or (
                not is_root and any(links.low[child] >= links.discovered[u] for child in children)
            ):
                is_cut[u] = 1
                shown = is_cut[:]
        frames.append((shown,))
    return Trace(inputs=(matrix,), outputs=(is_cut,), frames=tuple(frames))


def bridges(A: np.ndarray) -> Trace:
    """Bridges by low-link DFS; `is_bridge` is an n x n mask.

    Entries start at 0 for edges and the diagonal, -1 (masked) for non-edges; a tree edge
    (u, v) becomes 1 in both directions when v's low-link is later than u's discovery.
    """
    matrix = _graph_input(A)
    is_bridge = [
        [0 if weight or i == j else -1 for j, weight in enumerate(row)]
        for i, row in enumerate(matrix)
    ]
    # Frames share unchanged rows: only the two rows of a new bridge are copied.
    shown = [row[:] for row in is_bridge]
    frames = []
    for kind, u, _, links in _low_link_walk(matrix):
        if kind == FINISH:
            for child in links.children[u]:
                if links.low[child] > links.discovered[u]:
                    is_bridge[u][child] = is_bridge[child][u] = 1
                    shown = list(shown)
                    shown[u], shown[child] = is_bridge[u][:], is_bridge[child][:]
        frames.append((shown,))
    return Trace(inputs=(matrix,), outputs=(is_bridge,), frames=tuple(frames))


def strongly_connected_components(A: np.ndarray) -> Trace:
    """Kosaraju's SCC: DFS on A, then DFS on A transposed in decreasing finishing order.

    `scc_id[u]` is the root of u's tree in the second pass. A node takes its id when it is
    entered, so after the frame of the tree edge that reaches it.
    """
    matrix = _graph_input(A)
    n = len(matrix)
    first_pass = _walk(_neighbours(matrix), range(n), True, False)
    finishing_order = [u for kind, u, _ in first_pass if kind == FINISH]
    second_pass = _walk(_neighbours(list(zip(*matrix))), finishing_order[::-1], False, False)

    scc_id = list(range(n))
    shown = scc_id[:]
    frames = [(shown,)] * len(first_pass)
    root = 0
    for kind, u, v in second_pass:
        frames.append((shown,))
        if kind == ROOT:
            root = u
        if (kind == ROOT or kind == TREE) and scc_id[v] != root:
            scc_id[v] = root
            shown = scc_id[:]
    return Trace(inputs=(matrix,), outputs=(scc_id,), frames=tuple(frames))


ALGORITHMS = (
    AlgorithmSpec(
        name="dfs", chapter="graph_search", inputs=GRAPH,
        outputs=(Field("pi", Kind.INTS),), hints=(Field("pi", Kind.INTS),),
        sample=sample_directed, run=dfs, min_length=MIN_GRAPH_LENGTH,
    ),
    AlgorithmSpec(
        name="bfs", chapter="graph_search", inputs=(Field("s", Kind.INDEX),) + GRAPH,
        outputs=(Field("pi", Kind.INTS),), hints=(Field("pi", Kind.INTS),),
        sample=sample_bfs, run=bfs, min_length=MIN_GRAPH_LENGTH,
    ),
    AlgorithmSpec(
        name="topological_sort", chapter="graph_search", inputs=GRAPH,
        outputs=(Field("topo", Kind.INTS), Field("topo_head", Kind.INDEX)),
        hints=(Field("topo", Kind.INTS), Field("topo_head", Kind.INDEX)),
        sample=sample_dag, run=topological_sort, min_length=MIN_GRAPH_LENGTH,
    ),
    AlgorithmSpec(
        name="articulation_points", chapter="graph_search", inputs=GRAPH,
        outputs=(Field("is_cut", Kind.INTS),), hints=(Field("is_cut", Kind.INTS),),
        sample=sample_sparse_undirected, run=articulation_points, min_length=MIN_GRAPH_LENGTH,
    ),
    AlgorithmSpec(
        name="bridges", chapter="graph_search", inputs=GRAPH,
        outputs=(Field("is_bridge", Kind.INT_MATRIX),),
        hints=(Field("is_bridge", Kind.INT_MATRIX),),
        sample=sample_sparse_undirected, run=bridges, min_length=MIN_GRAPH_LENGTH,
    ),
    AlgorithmSpec(
        name="strongly_connected_components", chapter="graph_search",
        inputs=(Field("A", Kind.FLOAT_MATRIX),),
        outputs=(Field("scc_id", Kind.INTS),), hints=(Field("scc_id", Kind.INTS),),
        sample=sample_communities, run=strongly_connected_components,
        min_length=SCC_COMMUNITIES,
    ),
)
