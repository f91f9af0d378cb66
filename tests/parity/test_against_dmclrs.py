"""Random (algorithm, length, seed) draws match the official generator, both releases.

Run with `tox -e parity`, which downloads the dm-clrs wheels (code only) and points
DMCLRS_DIR at them. Set PARITY_DRAWS for more draws (default 3 per algorithm and flavour).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from evalsuite.clrs import ALGORITHMS, iter_samples

ROOT = Path(os.environ.get("DMCLRS_DIR", ""))
RELEASE = {"current": "2.0.3", "paper": "2.0.1"}
DRAWS = int(os.environ.get("PARITY_DRAWS", "3"))
SEED = int(os.environ.get("PARITY_SEED", "20261121"))


def _official(flavor: str, algo: str, jobs: list[list[int]]) -> list:
    script = Path(__file__).parent / "official.py"
    result = subprocess.run(
        [sys.executable, str(script), str(ROOT / RELEASE[flavor]), flavor, algo, json.dumps(jobs)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("flavor", sorted(RELEASE))
@pytest.mark.parametrize("algo", sorted(ALGORITHMS))
def test_random_draws_match_the_official_generator(algo: str, flavor: str) -> None:
    chooser = random.Random(f"{SEED}-{algo}-{flavor}")
    minimum = ALGORITHMS[algo].min_length
    jobs = [[chooser.randint(minimum, 64), chooser.randint(0, 10_000), 2] for _ in range(DRAWS)]
    for (length, seed, count), official in zip(jobs, _official(flavor, algo, jobs)):
        assert not isinstance(official, str), f"official fails at length {length}: {official}"
        ours = [
            {"index": s.index, "use_hints": s.use_hints, "question": s.question, "answer": s.answer}
            for s in iter_samples([algo], [length], [seed], count, "both", flavor)
        ]
        assert ours == official, f"length {length}, seed {seed}"
