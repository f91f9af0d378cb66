"""The paper's train and validation splits of CLRS-Text (Markeeva et al., 2024)."""

from __future__ import annotations

from dataclasses import dataclass

_TRAIN_BASE = (4, 5, 10, 11, 12, 15, 19, 23, 28, 31)


def _train_up_to(largest: int) -> tuple[int, ...]:
    return tuple(length for length in _TRAIN_BASE if length <= largest)


_TRAIN_MAX = {
    **dict.fromkeys(
        (
            "activity_selector", "bellman_ford", "bfs", "binary_search",
            "find_maximum_subarray_kadane", "graham_scan", "insertion_sort", "kmp_matcher",
            "minimum", "naive_string_matcher", "quickselect", "segments_intersect",
            "task_scheduling",
        ),
        31,
    ),
    **dict.fromkeys(("dijkstra", "mst_prim"), 28),
    **dict.fromkeys(("dfs", "topological_sort"), 23),
    **dict.fromkeys(("articulation_points", "dag_shortest_paths"), 19),
    "strongly_connected_components": 15,
    "jarvis_march": 12,
    **dict.fromkeys(
        (
            "bubble_sort", "floyd_warshall", "heapsort", "lcs_length", "matrix_chain_order",
            "mst_kruskal", "optimal_bst", "quicksort",
        ),
        10,
    ),
    "bridges": 5,
}

_VAL_MAX = {
    **dict.fromkeys(
        (
            "binary_search", "find_maximum_subarray_kadane", "kmp_matcher", "minimum",
            "naive_string_matcher", "quickselect", "segments_intersect",
        ),
        64,
    ),
    **dict.fromkeys(("bfs", "task_scheduling"), 41),
    "activity_selector": 40,
    "bellman_ford": 32,
    "graham_scan": 31,
    "mst_prim": 26,
    **dict.fromkeys(("dijkstra", "insertion_sort"), 25),
    "topological_sort": 21,
    "dfs": 20,
    **dict.fromkeys(("articulation_points", "dag_shortest_paths"), 19),
    "strongly_connected_components": 16,
    "jarvis_march": 13,
    **dict.fromkeys(("lcs_length", "matrix_chain_order", "quicksort"), 12),
    **dict.fromkeys(("bubble_sort", "floyd_warshall", "heapsort"), 11),
    **dict.fromkeys(("mst_kruskal", "optimal_bst"), 10),
    "bridges": 7,
}

TRAIN_LENGTHS: dict[str, tuple[int, ...]] = {
    name: _train_up_to(largest) for name, largest in _TRAIN_MAX.items()
}
VAL_LENGTHS: dict[str, tuple[int, ...]] = {
    name: tuple(range(4, largest + 1)) for name, largest in _VAL_MAX.items()
}


def largest_train_length(algorithm: str) -> int:
    """Lengths above this are out of the paper's training distribution (OOD)."""
    return TRAIN_LENGTHS[algorithm][-1]


@dataclass(frozen=True)
class Preset:
    """A named split: per-algorithm lengths, the seeds, samples per (algorithm, length, seed)."""

    name: str
    lengths: dict[str, tuple[int, ...]]
    seeds: tuple[int, ...]
    samples: int
    hints: str


PRESETS: dict[str, Preset] = {
    "paper-train": Preset("paper-train", TRAIN_LENGTHS, seeds=(0,), samples=10_000, hints="on"),
    "paper-val": Preset(
        "paper-val", VAL_LENGTHS, seeds=(3, 14, 35, 81, 94), samples=125, hints="on"
    ),
}
