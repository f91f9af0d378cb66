"""What one engine worker asks Ray for, and how many workers a run gets by default."""

from __future__ import annotations

from dataclasses import dataclass

from evalsuite.backends.options import EngineOptions
from evalsuite.errors import EvalsuiteError

CPUS_PER_MODEL_WORKER = 4  # a model on CPU: enough threads to be useful, few copies in memory


@dataclass(frozen=True)
class WorkerShape:
    """One worker's share of a node: CPUs and GPUs, as Ray resources."""

    cpus: float
    gpus: float


def gpus_wanted(provider: str, engines: EngineOptions) -> int:
    """GPUs one worker of this engine uses when the cluster has GPUs (0: it runs on CPU)."""
    if provider == "hf":
        return 0 if engines.hf.device in ("cpu", "mps") else 1
    if provider == "vllm":
        vllm = engines.vllm
        return 0 if vllm.device == "cpu" else vllm.tensor_parallel_size * vllm.pipeline_parallel_size
    if provider == "llamacpp":
        return 1 if engines.llamacpp.gpu_layers != 0 else 0
    return 0  # dummy/ and engines that do not say


def plan_workers(provider: str, engines: EngineOptions, workers: int | None,
                 free: dict[str, float], total: dict[str, float]) -> tuple[int, WorkerShape]:
    """(number of workers, each one's shape). Default: one per free GPU (or per free group of
    GPUs for tensor-parallel vLLM); on CPU one per CPU for dummy/, else one per few CPUs.
    More workers than the whole cluster can hold is an error, not a run that waits forever."""
    cluster_gpus = int(total.get("GPU", 0))
    gpus = gpus_wanted(provider, engines) if cluster_gpus else 0
    if provider == "vllm" and gpus == 0 and engines.vllm.device != "cpu":
        raise EvalsuiteError("vllm/ on Ray needs GPUs and the cluster has none: add --device cpu for vLLM's CPU build")
    cluster_cpus = int(total.get("CPU", 0))
    if gpus:
        count = workers or max(1, int(free.get("GPU", 0)) // gpus)
        shape = WorkerShape(cpus=1, gpus=gpus)
    else:
        per = 1 if provider == "dummy" else max(1, min(_cpu_threads(provider, engines), cluster_cpus))
        if workers:
            per = min(per, max(1, cluster_cpus // workers))
        count = workers or max(1, int(free.get("CPU", 0)) // per)
        shape = WorkerShape(cpus=per, gpus=0)
    for resource, each, have in (("CPU", shape.cpus, cluster_cpus), ("GPU", shape.gpus, cluster_gpus)):
        if each and count * each > have:
            raise EvalsuiteError(
                f"{count} Ray workers need {count * each:g} {resource}s ({each:g} each); "
                f"the cluster has {have}: give fewer --ray-workers"
            )
    return count, shape


def _cpu_threads(provider: str, engines: EngineOptions) -> int:
    if provider == "llamacpp" and engines.llamacpp.threads:
        return engines.llamacpp.threads
    return CPUS_PER_MODEL_WORKER


def smallest_chunk(provider: str, engines: EngineOptions) -> int:
    """Requests a chunk should hold at least, so that an engine that batches fills a batch."""
    if provider == "hf":
        return engines.hf.batch_size
    if provider == "llamacpp":
        return (engines.llamacpp.parallel or 1) * engines.llamacpp.batch_size
    if provider == "vllm":
        return 32  # continuous batching wants many requests at once
    return 1
