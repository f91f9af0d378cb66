"""The transformers backend, on the embedded Gemma model (tox env `local`), and the embedded
model's conversion cache.

The first run converts the packaged GGUF (minutes); later runs read the cached checkpoint.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from harness import PROMPTS, run

from evalsuite.backends import (
    BackendOptions,
    EngineOptions,
    HFOptions,
    gemma,
    load_backend,
)
from evalsuite.backends.base import Completion, GenerationParams, Request
from evalsuite.errors import EvalsuiteError
from evalsuite.prompts.record import Message

local = pytest.mark.local
OPTIONS = BackendOptions(cache=None, engines=EngineOptions(hf=HFOptions(batch_size=4)))


def hf_options(**changes) -> BackendOptions:
    return BackendOptions(cache=None, engines=EngineOptions(hf=HFOptions(batch_size=4, **changes)))


def completion(text: str, **params: object) -> Request:
    return Request(text=text, messages=None, params=GenerationParams(**params))


@pytest.fixture(scope="module")
def hf_gemma():
    pytest.importorskip("torch")
    from evalsuite.backends.hf import HFBackend

    return HFBackend(gemma.EMBEDDED_NAME, OPTIONS.engines.hf)


# ---- generation -------------------------------------------------------------------------


@local
def test_batched_greedy_equals_one_prompt_at_a_time(hf_gemma):
    requests = [completion(prompt, max_tokens=12) for prompt in PROMPTS]
    batched = run(hf_gemma, requests, close=False)
    for request, together in zip(requests, batched):
        (alone,) = run(hf_gemma, [request], close=False)
        assert (together.text, together.output_tokens) == (alone.text, alone.output_tokens)
    assert all(c.error is None and c.text for c in batched)


@local
def test_prompts_are_padded_on_the_left(hf_gemma, monkeypatch):
    seen = {}
    generate = hf_gemma.model.generate

    def recording(**kwargs):
        seen.update(kwargs)
        return generate(**kwargs)

    monkeypatch.setattr(hf_gemma.model, "generate", recording)
    run(hf_gemma, [completion("Hi", max_tokens=2), completion(PROMPTS[2], max_tokens=2)],
        close=False)
    mask = seen["attention_mask"].tolist()
    short = min(mask, key=sum)
    assert short[0] == 0 and short[-1] == 1 and short == sorted(short)
    assert max(mask, key=sum) == [1] * len(short)


@local
def test_input_and_output_tokens_are_counted(hf_gemma):
    (answer,) = run(hf_gemma, [completion(PROMPTS[1], max_tokens=5)], close=False)
    assert answer.input_tokens == len(hf_gemma.tokenizer(PROMPTS[1])["input_ids"])
    assert answer.output_tokens == 5 and answer.finish_reason == "length"
    assert answer.latency_s > 0 and answer.error is None


def first_stop(hf_gemma) -> tuple[str, Completion]:
    """A stop string from the middle of the model's free answer to PROMPTS[1]."""
    (free,) = run(hf_gemma, [completion(PROMPTS[1], max_tokens=16)], close=False)
    stop = free.text[4:7]
    assert stop and free.text.find(stop) > 0
    return stop, free


@local
def test_stop_sequence_cuts_the_text_and_ends_generation(hf_gemma, monkeypatch):
    stop, free = first_stop(hf_gemma)
    steps = []
    generate = hf_gemma.model.generate

    def recording(**kwargs):
        output = generate(**kwargs)
        steps.append(output.shape[1] - kwargs["input_ids"].shape[1])
        return output

    monkeypatch.setattr(hf_gemma.model, "generate", recording)
    (stopped,) = run(hf_gemma, [completion(PROMPTS[1], max_tokens=16, stop=(stop,))],
                     close=False)
    assert stopped.text == free.text[: free.text.find(stop)]
    assert stopped.finish_reason == "stop"
    assert stopped.output_tokens == steps[0] < free.output_tokens


@local
def test_each_row_stops_on_its_own_as_it_would_alone(hf_gemma):
    stop, _ = first_stop(hf_gemma)
    requests = [completion(prompt, max_tokens=16, stop=(stop,)) for prompt in PROMPTS[:4]]
    together = run(hf_gemma, requests, close=False)
    alone = [run(hf_gemma, [request], close=False)[0] for request in requests]
    assert [(c.text, c.finish_reason, c.output_tokens) for c in together] == [
        (c.text, c.finish_reason, c.output_tokens) for c in alone
    ]
    assert together[1].finish_reason == "stop"
    assert {c.finish_reason for c in together} == {"stop", "length"}


@local
def test_sampling_is_reproducible_from_the_seed(hf_gemma):
    params = {"max_tokens": 12, "temperature": 1.0, "seed": 7}
    first = run(hf_gemma, [completion(PROMPTS[3], **params)], close=False)
    again = run(hf_gemma, [completion(PROMPTS[3], **params)], close=False)
    assert first[0].text == again[0].text


@local
def test_chat_mode_uses_the_gemma_chat_template(hf_gemma):
    messages = (Message("system", "Answer briefly."), Message("user", "Sort 3 1 2."))
    assert hf_gemma.chat_text(messages) == (
        "<bos><start_of_turn>user\nAnswer briefly.\n\nSort 3 1 2.<end_of_turn>\n"
        "<start_of_turn>model\n"
    )
    request = Request(text=None, messages=messages, params=GenerationParams(max_tokens=8))
    (answer,) = run(hf_gemma, [request], close=False)
    ids = hf_gemma.tokenizer(hf_gemma.chat_text(messages), add_special_tokens=False)["input_ids"]
    assert answer.error is None and answer.input_tokens == len(ids)
    assert ids.count(hf_gemma.tokenizer.bos_token_id) == 1


@local
def test_chat_without_a_template_is_one_clear_error(hf_gemma, monkeypatch):
    monkeypatch.setattr(hf_gemma.tokenizer, "chat_template", None)
    request = Request(text=None, messages=(Message("user", "hi"),))
    with pytest.raises(EvalsuiteError, match="hf/gemma-3-270m has no chat template"):
        run(hf_gemma, [request], close=False)


@local
def test_messages_the_template_refuses_are_one_clear_error(hf_gemma):
    request = Request(text=None, messages=(Message("user", "a"), Message("user", "b")))
    with pytest.raises(EvalsuiteError, match="refused the messages: Conversation roles"):
        run(hf_gemma, [request], close=False)


@local
def test_prompt_beyond_the_context_is_rejected_and_the_rest_runs(hf_gemma):
    requests = [completion(PROMPTS[0], max_tokens=10 ** 6), completion(PROMPTS[0], max_tokens=2)]
    too_long, fine = run(hf_gemma, requests, close=False)
    assert too_long.error.startswith("rejected:") and too_long.text == ""
    assert fine.error is None and fine.output_tokens == 2


# ---- loading ----------------------------------------------------------------------------


@local
def test_second_load_reads_the_converted_cache(hf_gemma, monkeypatch):
    cached = gemma.checkpoint_dir()
    assert hf_gemma.checkpoint == str(cached)
    assert cached.parent == gemma.models_cache_dir() and gemma.is_converted(cached)
    monkeypatch.setattr(gemma, "convert", lambda target: pytest.fail("converted again"))
    backend = load_backend("hf/gemma-3-270m", OPTIONS)
    assert backend.checkpoint == str(cached)


@local
def test_off_a_terminal_a_run_prints_no_transformers_progress_bars(hf_gemma, tmp_path):
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "evalsuite", "run", "--model", "hf/gemma-3-270m", "--algorithms", "minimum",
         "--samples", "1", "--style", "zero-shot", "--max-tokens", "4", "--no-cache", "--out", str(tmp_path / "run")],
        check=False, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Loading weights" not in result.stderr and "it/s]" not in result.stderr, result.stderr
    assert (tmp_path / "run" / "samples.jsonl").read_text().count("\n") == 1


@local
def test_dtype_option_loads_half_precision():
    torch = pytest.importorskip("torch")

    backend = load_backend("hf/gemma-3-270m", hf_options(dtype="bfloat16"))
    assert backend.model.dtype == torch.bfloat16
    (answer,) = run(backend, [completion(PROMPTS[3], max_tokens=3)])
    assert answer.error is None and answer.output_tokens == 3


@local
@pytest.mark.parametrize("field, value, message", [
    ("dtype", "float8", "unknown --dtype 'float8'"),
    ("device", "tpu", "unknown --device 'tpu'"),
])
def test_unknown_dtype_or_device_is_one_clear_error(field, value, message):
    pytest.importorskip("torch")
    with pytest.raises(EvalsuiteError, match=message):
        load_backend("hf/gemma-3-270m", hf_options(**{field: value}))


@local
def test_any_local_checkpoint_loads_by_path(hf_gemma, tmp_path):
    import transformers

    config = transformers.LlamaConfig(
        vocab_size=len(hf_gemma.tokenizer), hidden_size=16, intermediate_size=32,
        num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1,
        max_position_embeddings=128, bos_token_id=2, eos_token_id=1, pad_token_id=0,
    )
    transformers.LlamaForCausalLM(config).save_pretrained(tmp_path)
    hf_gemma.tokenizer.save_pretrained(tmp_path)
    backend = load_backend(f"hf/{tmp_path}", OPTIONS)
    answers = run(backend, [completion(prompt, max_tokens=4) for prompt in PROMPTS[:3]])
    assert all(a.error is None and a.input_tokens for a in answers)
    (too_long,) = run(load_backend(f"hf/{tmp_path}", OPTIONS), [completion("x", max_tokens=200)])
    assert too_long.error.startswith("rejected:")


@local
def test_a_model_that_cannot_be_found_is_one_clear_error(monkeypatch, tmp_path):
    pytest.importorskip("torch")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EvalsuiteError, match="cannot load hf/no-such/model"):
        load_backend("hf/no-such/model", OPTIONS)


def test_missing_torch_is_one_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    monkeypatch.delitem(sys.modules, "evalsuite.backends.hf", raising=False)
    with pytest.raises(EvalsuiteError, match=r"pip install 'evalsuite\[local\]'"):
        load_backend("hf/gemma-3-270m", OPTIONS)


# ---- the conversion cache, with a stand-in for the GGUF and the converter ----------------


@pytest.fixture
def hf_fake_gguf(monkeypatch, tmp_path):
    """XDG_CACHE_HOME in tmp_path, a tiny stand-in GGUF package and a converter that only
    writes a config (or fails, when told to)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def assemble(path: Path) -> Path:
        path.write_bytes(b"GGUF")
        return path

    package = SimpleNamespace(EXPECTED_SHA256="ab" * 32, MODEL_NAME="fake.gguf", assemble=assemble)
    monkeypatch.setattr(gemma, "_gguf_package", lambda: package)
    monkeypatch.setattr(gemma, "_marker", lambda: {"conversion_version": gemma.CONVERSION_VERSION})
    calls = []

    def save(gguf_path: Path, out: Path) -> None:
        calls.append(gguf_path)
        out.mkdir()
        (out / "config.json").write_text("{}")
        if package.fail:
            raise KeyboardInterrupt

    package.fail = False
    package.calls = calls
    monkeypatch.setattr(gemma, "_save_checkpoint", save)
    return package


def test_cache_lives_under_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert gemma.models_cache_dir() == tmp_path / "evalsuite" / "models"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert gemma.models_cache_dir() == Path.home() / ".cache" / "evalsuite" / "models"


def test_conversion_happens_once_and_is_renamed_into_place(hf_fake_gguf, tmp_path):
    path = gemma.ensure_checkpoint()
    assert path == tmp_path / "cache" / "evalsuite" / "models" / "gemma-3-270m-q4_k_m-abababababab"
    assert json.loads((path / gemma.MARKER).read_text())["conversion_version"] == 1
    assert sorted(p.name for p in path.iterdir()) == ["config.json", gemma.MARKER]
    assert gemma.ensure_checkpoint() == path and len(hf_fake_gguf.calls) == 1
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no staging left


def test_interrupted_conversion_leaves_no_cache(hf_fake_gguf):
    hf_fake_gguf.fail = True
    with pytest.raises(KeyboardInterrupt):
        gemma.ensure_checkpoint()
    assert list(gemma.models_cache_dir().iterdir()) == []
    hf_fake_gguf.fail = False
    assert gemma.is_converted(gemma.ensure_checkpoint())


def test_unfinished_folder_is_converted_again(hf_fake_gguf):
    target = gemma.checkpoint_dir()
    target.mkdir(parents=True)
    (target / "config.json").write_text("{}")  # no marker: not a finished conversion
    assert gemma.ensure_checkpoint() == target and gemma.is_converted(target)
    assert len(hf_fake_gguf.calls) == 1
