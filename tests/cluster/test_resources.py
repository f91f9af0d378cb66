"""How many engine workers a run gets, and what each asks the cluster for."""

from __future__ import annotations

import pytest

from evalsuite.backends.options import EngineOptions, HFOptions, VLLMOptions
from evalsuite.cluster.resources import WorkerShape, plan_workers
from evalsuite.errors import EvalsuiteError

CPUS = {"CPU": 16.0}
GPUS = {"CPU": 32.0, "GPU": 4.0}


def test_one_worker_per_free_gpu_and_tensor_parallel_workers_take_their_group():
    assert plan_workers("hf", EngineOptions(), None, {"CPU": 30, "GPU": 3}, GPUS) == (3, WorkerShape(1, 1))
    tensor_parallel = EngineOptions(vllm=VLLMOptions(tensor_parallel_size=2))
    assert plan_workers("vllm", tensor_parallel, None, GPUS, GPUS) == (2, WorkerShape(1, 2))


def test_on_cpu_a_model_worker_takes_a_few_cpus_and_a_dummy_one_cpu():
    assert plan_workers("hf", EngineOptions(), None, CPUS, CPUS) == (4, WorkerShape(4, 0))
    on_cpu = EngineOptions(hf=HFOptions(device="cpu"))
    assert plan_workers("hf", on_cpu, None, GPUS, GPUS)[1].gpus == 0
    assert plan_workers("dummy", EngineOptions(), None, CPUS, CPUS) == (16, WorkerShape(1, 0))
    assert plan_workers("hf", EngineOptions(), 2, {"CPU": 2}, {"CPU": 2}) == (2, WorkerShape(1, 0))


def test_more_workers_than_the_cluster_holds_is_an_error_not_a_wait():
    with pytest.raises(EvalsuiteError, match="5 Ray workers need 5 GPUs"):
        plan_workers("hf", EngineOptions(), 5, GPUS, GPUS)
    with pytest.raises(EvalsuiteError, match="needs GPUs"):
        plan_workers("vllm", EngineOptions(), None, CPUS, CPUS)
