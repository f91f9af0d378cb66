"""Which requests go to which worker next: small chunks, longest prompts first, and a bounded
number of tries for the requests of a worker that died.

Pure bookkeeping (no Ray), so that the rules can be read and tested on their own.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

from evalsuite.backends.base import Request

MAX_TRIES = 3  # workers that may die holding one request before it is recorded as failed
CHUNKS_PER_WORKER = 4  # a chunk is at most 1/(this × workers) of what is left, so the tail balances
MAX_CHUNK = 256


def prompt_length(request: Request) -> int:
    """Characters of the prompt: the text, or every message's content."""
    if request.messages is not None:
        return sum(len(message.content) for message in request.messages)
    return len(request.text or "")


class WorkQueue:
    """Request positions not yet handed out, longest prompt first (ties in request order),
    and how often each was handed to a worker that died."""

    def __init__(self, requests: Sequence[Request], smallest_chunk: int = 1) -> None:
        order = sorted(range(len(requests)), key=lambda i: (-prompt_length(requests[i]), i))
        self.waiting: deque[int] = deque(order)
        self.smallest_chunk = max(1, smallest_chunk)
        self.tries = [0] * len(requests)

    def __len__(self) -> int:
        return len(self.waiting)

    def chunk_size(self, workers: int) -> int:
        """Guided self-scheduling: big chunks while much is left, small ones at the end."""
        share = math.ceil(len(self.waiting) / (CHUNKS_PER_WORKER * max(workers, 1)))
        return max(self.smallest_chunk, min(MAX_CHUNK, share))

    def take(self, workers: int) -> list[int]:
        """The next chunk of positions (empty when nothing waits)."""
        size = min(self.chunk_size(workers), len(self.waiting))
        return [self.waiting.popleft() for _ in range(size)]

    def give_back(self, positions: Sequence[int]) -> list[int]:
        """Positions whose worker died: each is queued again (first, since they are the
        longest) unless it has used up its tries; returns those that have."""
        spent = []
        for position in reversed(positions):
            self.tries[position] += 1
            if self.tries[position] >= MAX_TRIES:
                spent.append(position)
            else:
                self.waiting.appendleft(position)
        return sorted(spent)

    def drain(self) -> list[int]:
        """Every waiting position, and the queue emptied (no worker is left to run them)."""
        positions = list(self.waiting)
        self.waiting.clear()
        return positions
