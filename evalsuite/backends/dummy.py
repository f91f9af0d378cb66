"""Baselines that need no model: `dummy/oracle` answers the gold answer (the pipeline's
ceiling, to check that scoring works end to end) and `dummy/random` a random answer of the
gold's shape (the floor). `dummy/slow` is the oracle at a fixed cost per request (a sleep, so it
uses no CPU): a stand-in for a model when measuring how a run scales over workers."""

from __future__ import annotations

import asyncio
import hashlib
import random
import re
from collections.abc import AsyncIterator, Sequence

from evalsuite.backends.base import Completion, Request
from evalsuite.backends.cost import estimate_input_tokens, estimate_tokens
from evalsuite.errors import EvalsuiteError

KINDS = ("oracle", "random", "slow")
SLOW_SECONDS = 0.05  # what one request to dummy/slow costs
_NUMBER = re.compile(r"-?\d+(?:\.(\d+))?")
_WORD = re.compile(r"\w+")


class DummyBackend:
    """`kind` is "oracle", "random" or "slow"; random answers are reproducible from the
    prompt, the request's seed and `seed`. slow answers as the oracle does, one request at a
    time, each after `SLOW_SECONDS`."""

    def __init__(self, kind: str, seed: int = 0) -> None:
        if kind not in KINDS:
            raise EvalsuiteError(f"unknown dummy model dummy/{kind}: use dummy/oracle, dummy/random or dummy/slow")
        self.name = f"dummy/{kind}"
        self.kind = kind
        self.seed = seed

    async def stream(self, requests: Sequence[Request]) -> AsyncIterator[tuple[int, Completion]]:
        for position, request in enumerate(requests):
            if self.kind == "slow":
                await asyncio.sleep(SLOW_SECONDS)
            yield position, self.complete(request)

    def complete(self, request: Request) -> Completion:
        if request.gold is None:
            return Completion(text="", error="rejected: the dummy backends need the gold answer")
        text = random_answer(request, self.seed) if self.kind == "random" else request.gold
        return Completion(
            text=text, finish_reason="stop", input_tokens=estimate_input_tokens(request),
            output_tokens=estimate_tokens(text), cost_usd=0.0,
        )

    async def aclose(self) -> None:
        pass


def random_answer(request: Request, seed: int = 0) -> str:
    """The gold answer with each number replaced by a random one of the same kind: integers
    from the gold's integer range widened to include 0 and 1, decimals from its decimal range
    with as many places. An answer without numbers has its words shuffled."""
    gold = request.gold or ""
    prompt = request.text or "".join(m.content for m in request.messages or ())
    digest = hashlib.sha256(f"{seed}|{request.params.seed}|{prompt}|{gold}".encode()).digest()
    rng = random.Random(digest)
    numbers = list(_NUMBER.finditer(gold))
    if not numbers:
        words = _WORD.findall(gold)
        rng.shuffle(words)
        replacements = iter(words)
        return _WORD.sub(lambda _: next(replacements), gold)
    integers = [int(m.group()) for m in numbers if m.group(1) is None]
    decimals = [float(m.group()) for m in numbers if m.group(1) is not None]
    low = min(integers + [0])
    high = max(integers + [1])
    span = (min(decimals), max(decimals)) if decimals else (0.0, 1.0)

    def replace(match: re.Match) -> str:
        places = match.group(1)
        if places is None:
            return str(rng.randint(low, high))
        return f"{rng.uniform(*span):.{len(places)}f}"

    return _NUMBER.sub(replace, gold)
