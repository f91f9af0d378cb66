"""The run configuration: engine options grouped by engine, recorded and read back."""

from __future__ import annotations

import json

import pytest

from evalsuite.backends import EngineOptions, HFOptions, HostedOptions
from evalsuite.errors import EvalsuiteError
from evalsuite.run.config import RunConfig, config_from_toml, resolve


def test_flat_settings_go_to_every_engine_that_has_them():
    config = resolve(RunConfig(), {}, {"models": ("hf/gemma-3-270m", "vllm/m"), "dtype": "bfloat16", "batch_size": 2})
    assert config.engines.hf == HFOptions(dtype="bfloat16", batch_size=2)
    assert config.engines.vllm.dtype == "bfloat16"
    assert config.engines.hosted == HostedOptions()


def test_the_manifest_records_options_by_engine_and_reads_them_back():
    config = resolve(RunConfig(), {}, {"models": ("openai/m",), "concurrency": 3,
                                       "base_url": "http://user:pw@127.0.0.1:8000/v1"})
    recorded = json.loads(json.dumps(config.to_manifest()))
    assert recorded["engines"]["hosted"]["concurrency"] == 3
    assert recorded["engines"]["hosted"]["base_url"] == "http://127.0.0.1:8000/v1"  # no credentials
    again = RunConfig.from_manifest(recorded)
    assert again.engines.hosted.concurrency == 3 and again.identity() == config.identity()


def test_a_manifest_with_flat_engine_options_still_resumes():
    recorded = {**json.loads(json.dumps(RunConfig().to_manifest())), "concurrency": 5, "dtype": "float32"}
    del recorded["engines"]
    config = RunConfig.from_manifest(recorded)
    assert config.engines.hosted.concurrency == 5 and config.engines.hf.dtype == "float32"
    assert config.engines == EngineOptions().with_settings({"concurrency": 5, "dtype": "float32"})


def test_a_grid_file_takes_engine_options_by_their_flag_names(tmp_path):
    grid = tmp_path / "grid.toml"
    grid.write_text('[run]\nmodels = ["hf/gemma-3-270m"]\nbatch-size = 3\ndevice = "cpu"\n')
    config = resolve(RunConfig(), config_from_toml(grid), {})
    assert config.engines.hf == HFOptions(device="cpu", batch_size=3)


def test_an_engine_option_out_of_range_is_one_clear_error():
    with pytest.raises(EvalsuiteError, match="--concurrency must be 1 or more, got 0"):
        resolve(RunConfig(), {}, {"models": ("openai/m",), "concurrency": 0})
