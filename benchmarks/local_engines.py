"""The quickstart grid (what `evalsuite run` with no model runs) through each local engine.

    python benchmarks/local_engines.py                       # every installed engine
    python benchmarks/local_engines.py --engines llamacpp hf --no-whole

For hf/, llamacpp/ and vllm/ (each where it is installed), a fresh process loads the
embedded model (the load time) and answers the same requests (the generation time), with no
response cache; the table gives prompt and generated tokens per second and how many outputs
equal transformers' float32 ones. Then the main job itself, whole process against whole
process: `evalsuite run` with an empty cache, on the default model and on hf/.

The limit printed beside them: the prompt tokens' FLOPs (2 x the non-embedding parameters
per token) over what this CPU does in a large float32 matmul.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# This folder's statistics.py would shadow the standard library's for the engines (vLLM).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

ENGINES = {"hf": "torch", "llamacpp": "llama_cpp", "vllm": "vllm"}
OPTIONS = {"hf": {}, "llamacpp": {}, "vllm": {"device": "cpu"}}


def quickstart_requests() -> list:
    from evalsuite.run.config import RunConfig
    from evalsuite.run.plan import build_units, prompt_grid, select_items

    config = RunConfig()
    grid = prompt_grid(config)
    return [unit.request for unit in build_units(config, select_items(config, grid), grid)]


def measure(engine: str) -> dict:
    """Load the embedded model on `engine` and answer the quickstart requests (in this process)."""
    from evalsuite.backends import BackendOptions, EngineOptions, load_backend

    engines = EngineOptions().with_settings(OPTIONS[engine])
    requests = quickstart_requests()
    started = time.perf_counter()
    backend = load_backend(f"{engine}/gemma-3-270m", BackendOptions(cache=None, engines=engines))
    loaded = time.perf_counter()
    completions: list = [None] * len(requests)

    async def answer() -> None:
        try:
            async for position, completion in backend.stream(requests):
                completions[position] = completion
        finally:
            await backend.aclose()

    asyncio.run(answer())
    done = time.perf_counter()
    return {
        "load_s": loaded - started, "generate_s": done - loaded,
        "prompt_tokens": sum(c.input_tokens or 0 for c in completions),
        "generated_tokens": sum(c.output_tokens or 0 for c in completions),
        "errors": sum(c.error is not None for c in completions),
        "texts": [c.text for c in completions],
    }


def measure_in_child(engine: str) -> dict | None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        child = subprocess.run([sys.executable, __file__, "--child", engine, str(out)],
                               check=False, capture_output=True, text=True)
        if child.returncode != 0:
            print(f"  {engine}: failed: {child.stderr.strip().splitlines()[-1:]}")
            return None
        return json.loads(out.read_text())


def whole_run(model: str | None) -> float:
    """Seconds of `evalsuite run` (the quickstart grid) from start to exit, empty cache."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "evalsuite", "run", "--cache", f"{folder}/cache.sqlite",
                   "--out", f"{folder}/run"] + (["--model", model] if model else [])
        started = time.perf_counter()
        result = subprocess.run(command, check=False, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
        return seconds


def matmul_gflops(size: int = 2048, repeats: int = 5) -> float:
    import numpy as np

    a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
    a @ a  # warm up the BLAS threads
    started = time.perf_counter()
    for _ in range(repeats):
        a @ a
    return 2 * size**3 * repeats / (time.perf_counter() - started) / 1e9


def parameter_counts() -> tuple[int, int]:
    """(non-embedding, all) parameters of the embedded GGUF. Every prompt token passes
    through the first (it only looks up its embedding); a generated token passes through
    all, the token embedding serving as the (tied) output head."""
    import gguf

    from evalsuite.backends import gemma

    reader = gguf.GGUFReader(str(gemma.ensure_gguf()))
    sizes = {t.name: int(t.n_elements) for t in reader.tensors}
    embedding = sum(size for name, size in sizes.items() if name.startswith("token_embd"))
    return sum(sizes.values()) - embedding, sum(sizes.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=list(ENGINES))
    parser.add_argument("--no-whole", action="store_true", help="skip the whole-process runs")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, out = args.child
        Path(out).write_text(json.dumps(measure(engine)))
        return
    results = {}
    print(f"{len(quickstart_requests())} quickstart requests, embedded gemma-3-270m, no cache")
    for engine in args.engines:
        if importlib.util.find_spec(ENGINES[engine]) is None:
            print(f"  {engine}: not installed ({ENGINES[engine]})")
            continue
        result = measure_in_child(engine)
        if result is not None:
            results[engine] = result
    reference = results.get("hf", {}).get("texts")
    print(f"\n{'engine':10} {'load s':>7} {'generate s':>10} {'prompt tok/s':>12} {'gen tok/s':>9} "
          f"{'errors':>6} {'= hf fp32':>9}")
    for engine, r in results.items():
        same = "-" if reference is None else f"{sum(a == b for a, b in zip(r['texts'], reference))}/{len(reference)}"
        print(f"{engine:10} {r['load_s']:7.1f} {r['generate_s']:10.1f} "
              f"{r['prompt_tokens'] / r['generate_s']:12.0f} {r['generated_tokens'] / r['generate_s']:9.1f} "
              f"{r['errors']:6d} {same:>9}")
    if results:
        tokens = next(iter(results.values()))["prompt_tokens"]
        rate = matmul_gflops()
        non_embedding, every = parameter_counts()
        flops = 2 * non_embedding * tokens
        print(f"\nlimit: {tokens} prompt tokens x 2 x non-embedding parameters = {flops / 1e12:.2f} TFLOP; "
              f"this CPU's float32 matmul: {rate:.0f} GFLOP/s -> {flops / rate / 1e9:.1f} s")
        generated = next(iter(results.values()))["generated_tokens"]
        decoding = 2 * every * generated
        print(f"  with the {generated} generated tokens (each through every parameter, the "
              f"262k-token output head included: {decoding / 1e12:.2f} TFLOP more) -> "
              f"{(flops + decoding) / rate / 1e9:.1f} s")
    if not args.no_whole:
        print("\nthe main job, whole process, empty cache:")
        default = whole_run(None)
        print(f"  evalsuite run (the default model): {default:.1f} s (target < 60 s)")
        if importlib.util.find_spec("torch") is not None:
            hf = whole_run("hf/gemma-3-270m")
            print(f"  evalsuite run --model hf/gemma-3-270m: {hf:.1f} s ({hf / default:.1f}x the default)")


if __name__ == "__main__":
    main()
