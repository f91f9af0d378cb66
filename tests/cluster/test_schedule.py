"""How requests are handed out: longest prompts first, chunks shrinking towards the end,
a dead worker's requests queued again until their tries are spent."""

from __future__ import annotations

from evalsuite.backends.base import Request
from evalsuite.cluster.schedule import MAX_CHUNK, MAX_TRIES, WorkQueue, prompt_length
from evalsuite.prompts.record import Message


def requests(*lengths: int) -> list[Request]:
    return [Request("x" * n, None) for n in lengths]


def test_the_longest_prompts_go_first_and_ties_keep_their_order():
    queue = WorkQueue(requests(3, 9, 1, 9, 5))
    assert [queue.take(workers=100) for _ in range(5)] == [[1], [3], [4], [0], [2]]
    assert queue.take(workers=1) == [] and len(queue) == 0


def test_chunks_shrink_as_the_queue_empties_but_never_below_the_smallest():
    queue = WorkQueue(requests(*[10] * 1000), smallest_chunk=3)
    sizes = []
    while len(queue):
        sizes.append(len(queue.take(workers=2)))
    assert sizes[0] == 125 and sizes == sorted(sizes, reverse=True)
    assert sum(sizes) == 1000 and min(sizes[:-1]) == 3
    assert WorkQueue(requests(*[1] * 10**5)).chunk_size(workers=1) == MAX_CHUNK


def test_a_dead_workers_requests_come_back_first_until_their_tries_are_spent():
    queue = WorkQueue(requests(5, 4, 3, 2))
    held = queue.take(workers=1)
    assert held == [0]
    for _ in range(MAX_TRIES - 1):
        assert queue.give_back(held) == []
        assert queue.take(workers=100) == held
    assert queue.give_back(held) == [0]
    assert queue.drain() == [1, 2, 3] and len(queue) == 0


def test_a_chat_prompt_is_as_long_as_its_messages():
    chat = Request(None, (Message("system", "abc"), Message("user", "de")))
    assert prompt_length(chat) == 5 and prompt_length(Request("abcd", None)) == 4
