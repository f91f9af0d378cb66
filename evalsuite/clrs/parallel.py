"""Generate groups of samples in worker processes, in the same order as one process would."""

from __future__ import annotations

import json
import multiprocessing
from typing import Callable, Iterator, Sequence, TypeVar

from evalsuite.clrs.generate import Group, iter_group

Result = TypeVar("Result")


def group_records(group: Group) -> list[dict]:
    """All records of one group (one sampler): the unit a worker computes."""
    return [sample.to_dict() for sample in iter_group(group)]


def group_jsonl(group: Group) -> str:
    """One group's records as JSONL text, serialised in the worker so that the parent only
    writes (with several workers, parsing and dumping in the parent would be the bottleneck)."""
    return "".join(json.dumps(sample.to_dict(), ensure_ascii=False) + "\n" for sample in iter_group(group))


def map_groups(
    groups: Sequence[Group], work: Callable[[Group], Result], workers: int = 1
) -> Iterator[tuple[Group, Result]]:
    """Each group with `work(group)`, in the order of `groups`, whatever the number of workers.

    Every group has its own RandomState, so splitting work by group changes nothing in the
    output: N workers write the same bytes as one.
    """
    if workers <= 1 or len(groups) <= 1:
        for group in groups:
            yield group, work(group)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(min(workers, len(groups))) as pool:
        yield from zip(groups, pool.imap(work, groups, chunksize=1))
