"""Generate groups of samples in worker processes, in the same order as one process would."""

from __future__ import annotations

import multiprocessing
from typing import Iterator, Sequence

from evalsuite.clrs.generate import Group, iter_group


def group_records(group: Group) -> list[dict]:
    """All records of one group (one sampler): the unit a worker computes."""
    return [sample.to_dict() for sample in iter_group(group)]


def iter_group_records(groups: Sequence[Group], workers: int = 1) -> Iterator[tuple[Group, list[dict]]]:
    """Each group with its records, in the order of `groups`, whatever the number of workers.

    Every group has its own RandomState, so splitting work by group changes nothing in the
    output: N workers write the same bytes as one.
    """
    if workers <= 1 or len(groups) <= 1:
        for group in groups:
            yield group, group_records(group)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(min(workers, len(groups))) as pool:
        yield from zip(groups, pool.imap(group_records, groups, chunksize=1))
