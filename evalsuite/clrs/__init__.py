"""CLRS-Text: the 30 CLRS-30 algorithms, their traces and their text, numpy only."""

from evalsuite.clrs.generate import Group, Sample, iter_group, iter_samples, iter_traces
from evalsuite.clrs.registry import ALGORITHMS, get_algorithm
from evalsuite.clrs.spec import FLAVORS, AlgorithmSpec, Field, Flavor, Kind, Trace

__all__ = [
    "ALGORITHMS", "FLAVORS", "AlgorithmSpec", "Field", "Flavor", "Group", "Kind", "Sample",
    "Trace", "get_algorithm", "iter_group", "iter_samples", "iter_traces",
]
