"""Run the official dm-clrs sampler and text formatter without TensorFlow, JAX or Haiku.

Only its numpy code paths run; the few names it imports from jax, tensorflow and chex are
stood in for by tests/parity/stubs. Each release is loaded in a fresh subprocess, since
both are the package `clrs`.
"""

from __future__ import annotations

import importlib
import json
import sys
import types
from pathlib import Path

STUBS = Path(__file__).parent / "stubs"


def _load(root: Path):
    sys.path.insert(0, str(STUBS))
    for name, sub in (("clrs", "clrs"), ("clrs._src", "clrs/_src"), ("clrs._src.clrs_text", "clrs/_src/clrs_text")):
        module = types.ModuleType(name)
        module.__path__ = [str(root / sub)]
        sys.modules[name] = module
    samplers = importlib.import_module("clrs._src.samplers")
    text = importlib.import_module("clrs._src.clrs_text.clrs_utils")
    from absl import logging

    logging.set_verbosity(logging.ERROR)
    return samplers, text


def official_records(root: Path, flavor: str, algo: str, length: int, seed: int, count: int):
    samplers, text = _load(root)
    options = {"seed": seed, "num_samples": -1, "length": length, "track_max_steps": False}
    if flavor == "current":
        options["truncate_decimals"] = 3
    sampler, _ = samplers.build_sampler(algo, **options)
    for index in range(count):
        sample = sampler.next(batch_size=1)
        for use_hints in (False, True):
            question, answer = text.format_clrs_example(algo, sample, use_hints)
            yield {"index": index, "use_hints": use_hints, "question": question, "answer": answer}


if __name__ == "__main__":
    root, flavor, algo = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    jobs = json.loads(sys.argv[4])  # [[length, seed, count], ...]
    out = []
    for length, seed, count in jobs:
        try:
            out.append(list(official_records(root, flavor, algo, length, seed, count)))
        except Exception as error:  # the official code cannot take this length
            out.append(f"{type(error).__name__}: {error}")
    json.dump(out, sys.stdout)
